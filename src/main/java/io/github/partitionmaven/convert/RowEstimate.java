package io.github.partitionmaven.convert;

import java.util.List;

/**
 * Rows of a key range estimated without reading the table: from ANALYZE's equal-frequency histogram
 * of the key column when there is one, else spread evenly between the smallest and largest key.
 */
final class RowEstimate {

    private RowEstimate() {
    }

    static long rows(ConvertFacts.KeyStats stats, long lo, long hi) {
        if (stats.rows() == 0 || stats.min().isEmpty()) {
            return 0;
        }
        List<Long> bounds = stats.histogram().size() >= 2 ? stats.histogram() : List.of(stats.min().get(), stats.max().get());
        double perBucket = 1.0 / (bounds.size() - 1);
        double fraction = 0;
        for (int i = 0; i + 1 < bounds.size(); i++) {
            long a = bounds.get(i);
            long b = bounds.get(i + 1);
            if (b <= a) {
                fraction += a >= lo && a < hi ? perBucket : 0;
                continue;
            }
            long overlap = Math.min(b, hi) - Math.max(a, lo);
            if (overlap > 0) {
                fraction += perBucket * overlap / (double) (b - a);
            }
        }
        return Math.round(stats.rows() * Math.min(1.0, fraction));
    }
}
