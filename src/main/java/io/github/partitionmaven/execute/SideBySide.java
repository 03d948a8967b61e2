package io.github.partitionmaven.execute;

import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/** Runs tasks at the same time, the first on the calling thread and each other one on its own thread. */
public final class SideBySide {

    private SideBySide() {
    }

    /**
     * Returns when every task has ended; the first failure is then thrown. {@code onFailure} runs as soon as the calling
     * thread's task fails, to make the others stop early.
     */
    public static void run(Callable<Void> here, List<Callable<Void>> others, Runnable onFailure) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, others.size()));
        try {
            List<Future<Void>> running = others.stream().map(pool::submit).toList();
            Exception failure = null;
            try {
                here.call();
            } catch (Exception e) {
                failure = e;
                onFailure.run();
            }
            for (Future<Void> task : running) {
                try {
                    task.get();
                } catch (ExecutionException e) {
                    if (failure == null) {
                        failure = e.getCause() instanceof Exception cause ? cause : new IllegalStateException(e.getCause());
                    }
                }
            }
            if (failure != null) {
                throw failure;
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
