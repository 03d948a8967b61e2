package io.github.partitionmaven.convert;

import io.github.partitionmaven.engine.EngineLog;
import io.github.partitionmaven.plan.StepWork;
import io.github.partitionmaven.policy.TableName;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;

/**
 * Copies the source into the target in key order, one short transaction per batch; each batch also
 * records the last key copied in the progress record, so a killed run resumes after it.
 */
record BatchCopy(Transfer transfer, TableName progress, int batchSize, long total) implements StepWork {

    @Override
    public void run(Connection c, EngineLog log) throws SQLException {
        Optional<String> last;
        long alreadyCopied;
        try (PreparedStatement ps = c.prepareStatement("SELECT copied_upto, copied_rows FROM " + progress.sql());
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            last = Optional.ofNullable(rs.getString(1));
            alreadyCopied = rs.getLong(2);
        }
        ProgressMeter meter = new ProgressMeter(log, "copied", alreadyCopied, total);
        String record = "UPDATE " + progress.sql() + " SET copied_upto = ?, copied_rows = copied_rows + ?, copy_done = ?";
        c.setAutoCommit(false);
        try {
            while (true) {
                long rows;
                String lastKey;
                try (PreparedStatement ps = c.prepareStatement(transfer.copyBatch(last.isEmpty()))) {
                    int i = 1;
                    if (last.isPresent()) {
                        ps.setString(i++, last.get());
                    }
                    ps.setInt(i, batchSize);
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        rows = rs.getLong(1);
                        lastKey = rs.getString(2);
                    } catch (SQLException e) {
                        throw ChangeReplay.unplaceable(e, transfer, "within the " + batchSize + " keys after " + last.orElse("the first"));
                    }
                }
                boolean finished = rows < batchSize;
                try (PreparedStatement ps = c.prepareStatement(record)) {
                    ps.setString(1, lastKey == null ? last.orElse(null) : lastKey);
                    ps.setLong(2, rows);
                    ps.setBoolean(3, finished);
                    ps.executeUpdate();
                }
                c.commit();
                log.debug("copy batch committed: " + rows + " row(s) up to key " + lastKey);
                meter.add(rows);
                if (finished) {
                    break;
                }
                last = Optional.of(lastKey);
            }
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(true);
        }
        meter.finish();
    }
}
