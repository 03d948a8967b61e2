package io.github.partitionmaven.check;

/** One normalized statement as pg_stat_statements sums it up in this database. */
public record StatementStats(String query, long calls, double meanMillis, double maxMillis, double totalMillis) {

    private static final int SHORT_LENGTH = 160;

    /** The query on one line, cut for the log. */
    public String shortQuery() {
        String oneLine = query.replaceAll("\\s+", " ").trim();
        return oneLine.length() <= SHORT_LENGTH ? oneLine : oneLine.substring(0, SHORT_LENGTH - 3) + "...";
    }
}
