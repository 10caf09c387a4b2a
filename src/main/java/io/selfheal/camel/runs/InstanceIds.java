package io.selfheal.camel.runs;

import org.apache.camel.CamelContext;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;

/**
 * The id of a CamelContext in the run store: its host, absolute working directory and context name, such as
 * {@code batch-host-1:/opt/inventory-sync#camel-1}. Stable across restarts of the same job (same host, same folder,
 * same context name), so at its start a process finds the runs its previous life left RUNNING and marks them
 * ABANDONED; two jobs on one host differ by their folder, two contexts of one process by their names. A pod gets its
 * pod name as host (StatefulSets keep it across restarts).
 */
final class InstanceIds {
    private static final int MAX = 255;

    private InstanceIds() {
    }

    static String of(CamelContext context) {
        String id = host() + ":" + Path.of("").toAbsolutePath().normalize() + "#" + context.getName();
        // the folder's end tells two jobs on one host apart: keep it when the id is too long
        return id.length() <= MAX ? id : id.substring(id.length() - MAX);
    }

    private static String host() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            String env = System.getenv("HOSTNAME");
            return env == null || env.isBlank() ? "localhost" : env;
        }
    }
}
