package dev.attest.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code attest} command. Exit codes: 0 success, 2 usage error, 3 unusable input or a
 * failure; subcommands that appraise define 1 and 2 as "warning" and "contraindicated". Errors
 * are one line on stderr ({@code --verbose} adds the cause chain), never a stack trace.
 */
@Command(name = "attest", mixinStandardHelpOptions = true, version = "attest 0.1.0-SNAPSHOT",
        description = "Integrity measurement and remote attestation.",
        subcommands = {MeasureCommand.class, CommandLine.HelpCommand.class})
public final class Attest {
    /** Exit code for unusable input or a failure. */
    static final int EXIT_FAILURE = 3;

    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the command with the given output streams and returns its exit code. */
    static int run(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine(new Attest());
        cl.setOut(out);
        cl.setErr(err);
        boolean verbose = java.util.Arrays.asList(args).contains("--verbose");
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
            err.println("attest: " + oneLine(e));
            if (verbose) {
                for (Throwable c = e.getCause(); c != null; c = c.getCause()) {
                    err.println("  caused by: " + oneLine(c));
                }
            }
            return EXIT_FAILURE;
        });
        return cl.execute(args);
    }

    static String oneLine(Throwable e) {
        String m = e.getMessage();
        return (m == null || m.isBlank() ? e.getClass().getSimpleName() : m).replace('\n', ' ');
    }
}
