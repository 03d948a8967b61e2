package io.github.partitionmaven.prune;

/**
 * Counts CSV records in a byte stream as PostgreSQL's COPY writes them: a newline inside a quoted
 * field belongs to the field, and a doubled quote inside quotes toggles twice, so it needs no
 * special case. Works on UTF-8 and every other ASCII-compatible encoding.
 */
final class CsvRecordCounter {

    private boolean quoted;
    private long records;

    void feed(byte[] data, int offset, int length) {
        boolean q = quoted;
        long n = records;
        for (int i = offset, end = offset + length; i < end; i++) {
            byte b = data[i];
            if (b == '"') {
                q = !q;
            } else if (b == '\n' && !q) {
                n++;
            }
        }
        quoted = q;
        records = n;
    }

    /** Complete records seen, header included. */
    long records() {
        return records;
    }

    /** Whether the stream ended cleanly: not inside a quoted field. */
    boolean balanced() {
        return !quoted;
    }
}
