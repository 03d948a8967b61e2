package io.github.partitionmaven.check;

/** The verdict on a table or a whole run; {@code metricValue} is what the Prometheus file exports. */
public enum CheckStatus {
    OK(0), WARNING(1), FAILING(2);

    private final int metricValue;

    CheckStatus(int metricValue) {
        this.metricValue = metricValue;
    }

    public int metricValue() {
        return metricValue;
    }

    public static CheckStatus worst(CheckStatus a, CheckStatus b) {
        return a.compareTo(b) >= 0 ? a : b;
    }
}
