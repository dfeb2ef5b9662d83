package dev.attest.examples.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The agent's settings for mutual TLS and metrics, and what it refuses. */
class AgentConfigTest {
    @TempDir
    Path dir;

    private AgentConfig load(String... extra) throws Exception {
        Path file = dir.resolve("agent.properties");
        Files.writeString(file, String.join("\n", "device.id = gw-1", "key = device.key.pem",
                "verifier.url = https://127.0.0.1:8443", "verifier.pin = " + "ab".repeat(32), String.join("\n", extra), ""));
        return AgentConfig.load(file);
    }

    private String refused(String... extra) {
        return assertThrows(IllegalArgumentException.class, () -> load(extra)).getMessage()
                .substring(dir.resolve("agent.properties").toString().length() + 2);
    }

    @Test
    void clientCertificateAndMetricsAreOffUnlessConfigured() throws Exception {
        AgentConfig c = load();
        assertEquals(Optional.empty(), c.clientKey());
        assertEquals(Optional.empty(), c.clientCert());
        assertEquals(Optional.empty(), c.metrics());
    }

    @Test
    void clientKeyAndCertificateAreResolvedBesideTheFile() throws Exception {
        AgentConfig c = load("client.key = tls/agent.key.pem", "client.cert = tls/agent.cert.pem");
        assertEquals(Optional.of(dir.toAbsolutePath().resolve("tls/agent.key.pem")), c.clientKey());
        assertEquals(Optional.of(dir.toAbsolutePath().resolve("tls/agent.cert.pem")), c.clientCert());
        assertEquals("client.key and client.cert go together", refused("client.key = agent.key.pem"));
        assertEquals("client.key and client.cert go together", refused("client.cert = agent.cert.pem"));
    }

    @Test
    void metricsListenOnLoopbackOnly() throws Exception {
        assertEquals(Optional.of(new InetSocketAddress("127.0.0.1", 9464)), load("metrics.port = 9464").metrics());
        assertEquals(Optional.of(new InetSocketAddress("::1", 0)), load("metrics.port = 0", "metrics.bind = ::1").metrics());
        assertEquals("metrics.bind must be a loopback address", refused("metrics.port = 9464", "metrics.bind = 0.0.0.0"));
        assertEquals("metrics.bind must be a loopback address", refused("metrics.port = 9464", "metrics.bind = 192.0.2.1"));
        assertEquals("metrics.port must be 0..65535", refused("metrics.port = 65536"));
        assertEquals("metrics.port must be 0..65535", refused("metrics.port = -1"));
        assertEquals("metrics.bind needs metrics.port", refused("metrics.bind = 127.0.0.1"));
        assertEquals("unknown setting metrics.token", refused("metrics.token = x"));
    }
}
