package io.github.partitionmaven.core;

/** Where the engine reports what it does; the Maven mojos adapt their Log to it. */
public interface EngineLog {

    void info(String message);

    void warn(String message);

    void debug(String message);

    /** A log that prints to standard output, for tests and the benchmark. */
    EngineLog STDOUT = new EngineLog() {
        @Override
        public void info(String message) {
            System.out.println("[INFO] " + message);
        }

        @Override
        public void warn(String message) {
            System.out.println("[WARN] " + message);
        }

        @Override
        public void debug(String message) {
        }
    };
}
