package dev.attest.core;

/**
 * Receives each completed {@link Cycle} of a {@link MeasurementScheduler}, on the scheduler's
 * thread, in cycle order. A listener that throws is logged and does not stop the scheduler or
 * the other listeners. Listeners should hand long work (signing, sending) to their own executor.
 */
@FunctionalInterface
public interface CycleListener {
    /**
     * Called once per completed cycle.
     *
     * @param cycle the completed cycle
     */
    void onCycle(Cycle cycle);
}
