package io.github.partitionmaven.prune;

import io.github.partitionmaven.core.EngineLog;

/** A log that stops the run, like a kill, when the engine announces step {@code killBefore}: the steps before it are done. */
final class KillingLog implements EngineLog {

    static final class Killed extends RuntimeException {
        Killed(String message) {
            super(message);
        }
    }

    private final int killBefore;

    KillingLog(int killBefore) {
        this.killBefore = killBefore;
    }

    @Override
    public void info(String message) {
        if (message.startsWith("[" + killBefore + "/")) {
            throw new Killed("simulated kill before " + message);
        }
    }

    @Override
    public void warn(String message) {
    }

    @Override
    public void debug(String message) {
    }
}
