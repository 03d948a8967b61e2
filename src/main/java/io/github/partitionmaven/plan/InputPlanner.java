package io.github.partitionmaven.plan;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * A goal whose steps follow from an input of its own rather than from the table policies
 * ({@code partition:restore}: a manifest). The engine plans and applies it like every other goal:
 * planned once to refuse bad input before any change, then again under each table's lock.
 */
public interface InputPlanner {

    Goal goal();

    /** The steps; changes nothing. */
    List<Step> plan(Connection connection) throws SQLException;
}
