package dev.attest.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The README's test command is what CI runs: the quick start names one test command, and
 * {@code .ci/run} executes exactly that command and nothing else.
 */
class ReadmeCommandsTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    @Test
    void ciRunsExactlyTheReadmesTestCommand() throws Exception {
        String readme = Files.readString(ROOT.resolve("README.md"), StandardCharsets.UTF_8);
        Matcher block = Pattern.compile("## Quick start.*?```sh\\n(.*?)```", Pattern.DOTALL).matcher(readme);
        assertTrue(block.find(), "README has a quick start shell block");
        // A test command: a script named "...-test"/"test", or a Maven run (mvn, mvnw).
        Pattern testCommand = Pattern.compile("(^|[/ -])test(\\s|$)|mvn");
        List<String> tests = block.group(1).lines().map(l -> l.replaceAll("\\s*#.*$", "").trim())
                .filter(l -> testCommand.matcher(l).find()).toList();
        assertEquals(1, tests.size(), "one test command in the quick start: " + tests);
        String command = tests.get(0);

        List<String> ci = Files.readAllLines(ROOT.resolve(".ci/run"), StandardCharsets.UTF_8).stream()
                .map(String::trim).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
        assertEquals("exec " + command, ci.get(ci.size() - 1), ".ci/run ends by running the README's command");
        for (String line : ci.subList(0, ci.size() - 1)) {
            assertTrue(line.startsWith("set ") || line.startsWith("cd "), ".ci/run does nothing else: " + line);
        }
        assertTrue(Files.isExecutable(ROOT.resolve(command)), command + " is executable");
    }
}
