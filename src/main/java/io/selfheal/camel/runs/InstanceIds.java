package io.selfheal.camel.runs;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;

/**
 * The id of this process in the run store: its host and absolute working directory, such as
 * {@code batch-host-1:/opt/inventory-sync}. Stable across restarts of the same job (same host, same folder), so at its
 * start a process finds the runs its previous life left RUNNING and marks them ABANDONED; two jobs on one host differ
 * by their folder. A pod gets its pod name as host (StatefulSets keep it across restarts).
 */
final class InstanceIds {
    private static final int MAX = 255;

    private InstanceIds() {
    }

    static String ofThisProcess() {
        String id = host() + ":" + Path.of("").toAbsolutePath().normalize();
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
