package io.github.partitionmaven.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.partitionmaven.core.TableName;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class ConvertNamesTest {

    @Test
    void helperNamesOfTwoLongTablesDifferingOnlyPastTheCutNeverCollide() {
        String base = "x".repeat(58);
        ConvertNames a = new ConvertNames(new TableName("public", base + "_aaa"), ConvertOptions.DEFAULTS);
        ConvertNames b = new ConvertNames(new TableName("public", base + "_bbb"), ConvertOptions.DEFAULTS);
        List<Function<ConvertNames, String>> helpers = List.of(n -> n.shadow().name(), n -> n.changeLog().name(), n -> n.progress().name(),
                n -> n.captureFunction().name(), n -> n.old().name(), ConvertNames::attachKeyIndex, ConvertNames::rollbackKeyIndex);
        for (Function<ConvertNames, String> h : helpers) {
            assertNotEquals(h.apply(a), h.apply(b));
            assertTrue(h.apply(a).getBytes(StandardCharsets.UTF_8).length <= 63, h.apply(a));
        }
        assertTrue(a.changeLog().name().endsWith("_changes"), a.changeLog().name());
    }

    @Test
    void shortNamesKeepTheirPlainSuffixes() {
        ConvertNames n = new ConvertNames(new TableName("public", "chat_history"), ConvertOptions.DEFAULTS);
        assertEquals(List.of("chat_history_new", "chat_history_changes", "chat_history_conversion", "chat_history_capture", "chat_history_old"),
                List.of(n.shadow().name(), n.changeLog().name(), n.progress().name(), n.captureFunction().name(), n.old().name()));
    }
}
