package io.github.partitionmaven.testing;

import io.github.partitionmaven.core.EngineLog;

/** An {@link EngineLog} passing every line on to another; a test's log extends it and overrides the kind of line it watches. */
public class ForwardingLog implements EngineLog {

    private final EngineLog target;

    public ForwardingLog(EngineLog target) {
        this.target = target;
    }

    @Override
    public void info(String message) {
        target.info(message);
    }

    @Override
    public void warn(String message) {
        target.warn(message);
    }

    @Override
    public void debug(String message) {
        target.debug(message);
    }
}
