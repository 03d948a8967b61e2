package io.github.partitionmaven.core;

import java.time.Duration;
import java.util.Locale;

/** Human-readable durations, sizes and rates for the log. */
public final class Durations {

    private Durations() {
    }

    public static String format(Duration d) {
        long s = d.toSeconds();
        if (s < 1) {
            return d.toMillis() + " ms";
        }
        if (s < 120) {
            return String.format(Locale.ROOT, "%.1f s", d.toMillis() / 1000.0);
        }
        if (s < 7200) {
            return (s / 60) + " min " + (s % 60) + " s";
        }
        return (s / 3600) + " h " + (s % 3600 / 60) + " min";
    }

    public static String bytes(long b) {
        if (b < 1024) {
            return b + " B";
        }
        String[] units = {"kB", "MB", "GB", "TB"};
        double v = b;
        int i = -1;
        while (v >= 1024 && i < units.length - 1) {
            v /= 1024;
            i++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[i]);
    }
}
