package io.github.partitionmaven.core;

import java.sql.Connection;

/** Opens further sessions set up like the step's own (same server and user, zone, lock_timeout), for work spread over several. */
@FunctionalInterface
public interface Sessions {

    /** A new session; the caller closes it. */
    Connection open() throws Exception;
}
