package io.github.partitionmaven.policy;

import io.github.partitionmaven.core.TableName;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.partitionmaven.core.PartitionException;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class PolicyReaderTest {

    private static final RunSettings SETTINGS = PolicyReader.settings("UTC", "2026-11-24", null, null, Clock.systemUTC());

    private static TableSpec spec(String name, String interval, Integer premake, String pattern, String retention, String mode) {
        return new TableSpec(name, "created_at", interval, premake, pattern, retention, mode, null);
    }

    private static String refused(Executable e) {
        PartitionException ex = assertThrows(PartitionException.class, e);
        assertEquals(PartitionException.Kind.CONFIGURATION, ex.kind());
        assertTrue(ex.getMessage().endsWith("Nothing was changed."), ex.getMessage());
        return ex.getMessage();
    }

    @Test
    void defaultsFollowTheSeed() {
        TablePolicy p = PolicyReader.table(spec("chat_history", "month", null, null, "6 months", null), SETTINGS);
        assertEquals(3, p.premake());
        assertEquals("chat_history_2025_01", p.namePattern().format("chat_history", LocalDate.of(2025, 1, 1)));
        assertEquals(RetentionMode.DROP, p.retention().orElseThrow().mode());
        assertEquals(java.time.Period.ofMonths(6), p.retention().orElseThrow().period().period());
        assertEquals("chat_history_2025_q2", PolicyReader.table(spec("chat_history", "quarter", null, null, null, null), SETTINGS)
                .namePattern().format("chat_history", LocalDate.of(2025, 4, 1)));
    }

    @Test
    void readsTheEpochUnitAndRefusesAnUnknownOne() {
        assertEquals(java.util.Optional.empty(), PolicyReader.table(spec("t", "month", null, null, null, null), SETTINGS).epochUnit());
        assertEquals(java.util.Optional.of(EpochUnit.MILLISECONDS),
                PolicyReader.table(spec("t", "month", null, null, null, null).withEpochUnit(" Milliseconds "), SETTINGS).epochUnit());
        assertEquals(java.util.Optional.of(EpochUnit.SECONDS),
                PolicyReader.table(spec("t", "month", null, null, null, null).withEpochUnit("s"), SETTINGS).epochUnit());
        String message = refused(() -> PolicyReader.table(spec("t", "month", null, null, null, null).withEpochUnit("nanoseconds"), SETTINGS));
        assertTrue(message.contains("Unknown <epochUnit>nanoseconds</epochUnit> for table \"t\": use seconds, milliseconds or microseconds"),
                message);
    }

    @Test
    void refusesPremakeOutOfRange() {
        assertTrue(refused(() -> PolicyReader.table(spec("t", "month", 0, null, null, null), SETTINGS)).contains("use 1 to 120"));
        refused(() -> PolicyReader.table(spec("t", "month", 5000, null, null, null), SETTINGS));
    }

    @Test
    void refusesUnreadableRetentionAndModeWithoutRetention() {
        assertTrue(refused(() -> PolicyReader.table(spec("t", "month", null, null, "six months", null), SETTINGS))
                .contains("e.g. '6 months'"));
        assertTrue(refused(() -> PolicyReader.table(spec("t", "month", null, null, null, "archive"), SETTINGS))
                .contains("without <retention>"));
        assertTrue(refused(() -> PolicyReader.table(spec("t", "month", null, null, "10 days", null), SETTINGS))
                .contains("shorter than one month"));
        assertTrue(refused(() -> PolicyReader.table(spec("t", "month", null, null, "6 months", "shred"), SETTINGS))
                .contains("drop, detach or archive"));
    }

    @Test
    void refusesNamesOver63BytesAndCollidingNames() {
        String longName = "t".repeat(60);
        assertTrue(refused(() -> PolicyReader.table(spec(longName, "month", null, null, null, null), SETTINGS)).contains("63"));
        assertTrue(refused(() -> PolicyReader.table(spec("t", "month", null, "{table}_{yyyy}", null, null), SETTINGS))
                .contains("the same name 't_"));
        assertTrue(refused(() -> PolicyReader.table(spec("t", "month", null, "{table}_archive", null, null), SETTINGS))
                .contains("no date part"));
    }

    @Test
    void refusesTheSameTableTwice() {
        assertTrue(refused(() -> PolicyReader.tables(List.of(spec("chat_history", "month", null, null, null, null),
                spec("chat_history", "week", null, null, null, null)), SETTINGS)).contains("configured twice"));
        refused(() -> PolicyReader.tables(List.of(), SETTINGS));
    }

    @Test
    void readsNowLockTimeoutAndZone() {
        RunSettings s = PolicyReader.settings("Europe/Berlin", "2026-03-29T01:30", "2s", 7, Clock.systemUTC());
        assertEquals(ZoneId.of("Europe/Berlin"), s.zone());
        assertEquals(Duration.ofSeconds(2), s.lockTimeout());
        assertEquals(7, s.maxAttempts());
        assertEquals("2026-03-29T01:30+01:00[Europe/Berlin]", s.now().toString());
        assertEquals("2026-01-31T23:00Z[UTC]", PolicyReader.settings("UTC", "2026-01-31T23:00:00Z", null, null, Clock.systemUTC()).now().toString());
        assertTrue(refused(() -> PolicyReader.settings("Mars/Olympus", null, null, null, Clock.systemUTC())).contains("<timeZone>"));
        assertTrue(refused(() -> PolicyReader.settings("UTC", "yesterday", null, null, Clock.systemUTC())).contains("partition.now"));
        assertTrue(refused(() -> PolicyReader.settings("UTC", null, "forever", null, Clock.systemUTC())).contains("<lockTimeout>"));
    }

    @Test
    void readsQuotedTableNames() {
        assertEquals(new TableName("My Schema", "Chat \"History\""), TableName.parse("\"My Schema\".\"Chat \"\"History\"\"\""));
        assertEquals("\"My Schema\".\"Chat \"\"History\"\"\"", TableName.parse("\"My Schema\".\"Chat \"\"History\"\"\"").sql());
        assertEquals(new TableName("app", "chat_history"), TableName.parse("app.chat_history"));
        assertEquals(new TableName(null, "Chat History"), TableName.parse("Chat History"));
        refused(() -> TableName.parse("a.b.c"));
    }
}
