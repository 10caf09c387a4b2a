package io.selfheal.it;

import io.selfheal.testing.ChildJar;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Everything the jar opens listens on 127.0.0.1 unless told otherwise: the HTTP server and the management server
 * without a host configured (Camel's own default is 0.0.0.0), and the TCP server H2's AUTO_SERVER starts for the
 * default parked store (which listened on every interface). Read from the kernel: the process's socket inodes
 * ({@code /proc/<pid>/fd}) matched against the listening sockets in {@code /proc/net/tcp} and {@code tcp6}.
 */
class LoopbackListenersIT {

    @Test
    void everyListenerOfTheJarIsOnLoopback(@TempDir Path tmp) throws Exception {
        assumeTrue(Files.isReadable(Path.of("/proc/net/tcp")), "needs Linux /proc");
        Path dir = Files.createDirectories(tmp.resolve("job"));
        Files.createDirectories(dir.resolve("routes"));
        // one message that gives up at once: it is parked, so the parked store (H2, AUTO_SERVER) is open
        Files.writeString(dir.resolve("routes/gives-up.yaml"), """
                - route:
                    id: gives-up
                    routeConfigurationId: self-healing
                    from:
                      uri: "timer:once?repeatCount=1&delay=0"
                      steps:
                        - throwException:
                            exceptionType: java.lang.IllegalArgumentException
                            message: "bad input"
                """);
        int serverPort = freePort();
        int managementPort = freePort();
        try (ChildJar jar = ChildJar.start(dir, tmp.resolve("job.log"), List.of(
                "-Dcamel.server.enabled=true", "-Dcamel.server.port=" + serverPort,
                "-Dcamel.management.enabled=true", "-Dcamel.management.port=" + managementPort))) {
            Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                    .until(() -> !jar.isAlive() || jar.output().contains("parked as #"));
            assertThat(jar.isAlive()).as(jar.tail(40)).isTrue();

            List<Listener> listeners = listeners(jar.pid());

            // the HTTP server, the management server and H2's TCP server, at least
            assertThat(listeners).as(jar.tail(40)).extracting(Listener::port).contains(serverPort, managementPort);
            assertThat(listeners).hasSizeGreaterThanOrEqualTo(3);
            assertThat(listeners).allSatisfy(l -> assertThat(l.address().isLoopbackAddress())
                    .as("%s listens on %s:%d", jar.pid(), l.address().getHostAddress(), l.port()).isTrue());
        }
    }

    record Listener(InetAddress address, int port) {
    }

    /** The sockets in LISTEN state (0A) that the process holds. */
    static List<Listener> listeners(long pid) throws Exception {
        Set<String> inodes = new HashSet<>();
        try (var fds = Files.list(Path.of("/proc", String.valueOf(pid), "fd"))) {
            for (Path fd : fds.toList()) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:[")) {
                        inodes.add(target.substring("socket:[".length(), target.length() - 1));
                    }
                } catch (java.io.IOException gone) {
                    // closed while listing
                }
            }
        }
        List<Listener> out = new ArrayList<>();
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            Path file = Path.of(table);
            if (!Files.isReadable(file)) {
                continue;
            }
            for (String line : Files.readAllLines(file).subList(1, Files.readAllLines(file).size())) {
                String[] f = line.trim().split("\\s+");
                if (f.length > 9 && "0A".equals(f[3]) && inodes.contains(f[9])) {
                    String[] local = f[1].split(":");
                    out.add(new Listener(address(local[0]), Integer.parseInt(local[1], 16)));
                }
            }
        }
        return out;
    }

    /** /proc/net/tcp{,6} write each 32-bit word of the address in host (little-endian) byte order. */
    static InetAddress address(String hex) throws Exception {
        byte[] raw = HexFormat.of().parseHex(hex);
        byte[] bytes = new byte[raw.length];
        for (int word = 0; word < raw.length; word += 4) {
            for (int i = 0; i < 4; i++) {
                bytes[word + i] = raw[word + 3 - i];
            }
        }
        return InetAddress.getByAddress(bytes);
    }

    private static int freePort() throws Exception {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
