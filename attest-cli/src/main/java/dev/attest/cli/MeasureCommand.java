package dev.attest.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.attest.core.Cycle;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code attest measure}: one collection cycle, printed as a table or as JSON. */
@Command(name = "measure", mixinStandardHelpOptions = true, description = {
        "Runs the collectors once and prints the measurements.",
        "Runs the built-in collectors found on the class path, plus a file digest of each PATH."})
final class MeasureCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Mixin
    CollectorOptions collection;

    @Option(names = "--json", description = "Print JSON instead of a table.")
    boolean json;

    @Option(names = "--verbose", description = "Explain errors in more detail.")
    boolean verbose;

    @Override
    public Integer call() throws Exception {
        Cycle cycle = collection.collect();
        if (json) {
            ObjectMapper m = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
            spec.commandLine().getOut().println(m.writeValueAsString(MeasurementText.json(cycle.measurements())));
        } else {
            MeasurementText.table(cycle.measurements(), spec.commandLine().getOut());
        }
        return 0;
    }
}
