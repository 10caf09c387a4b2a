package io.selfheal.camel.schedule;

import org.quartz.spi.InstanceIdGenerator;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.UUID;

/**
 * Quartz's instance id of a clustered scheduler: host, process and a random part. Quartz's own AUTO id (host and the
 * current millisecond) can collide for two schedulers started in one millisecond on one host, and two schedulers
 * with one id would take each other for alive.
 */
public final class InstanceIds implements InstanceIdGenerator {
    @Override
    public String generateInstanceId() {
        return host() + "-" + ProcessHandle.current().pid() + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private static String host() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }
}
