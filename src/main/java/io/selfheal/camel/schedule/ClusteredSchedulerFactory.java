package io.selfheal.camel.schedule;

import io.selfheal.jdbc.PooledDataSource;
import io.selfheal.schedule.QuartzTables;
import io.selfheal.schedule.ScheduleSettings;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.SchedulerFactory;
import org.quartz.impl.SchedulerRepository;
import org.quartz.impl.StdSchedulerFactory;
import org.quartz.impl.jdbcjobstore.JobStoreTX;
import org.quartz.impl.jdbcjobstore.PostgreSQLDelegate;
import org.quartz.simpl.SimpleThreadPool;
import org.quartz.utils.DBConnectionManager;

import java.sql.SQLException;
import java.util.Collection;
import java.util.List;
import java.util.Properties;
import java.util.UUID;

/**
 * The scheduler of one CamelContext on Quartz's clustered JDBC job store: creates Quartz's tables if absent, then a
 * scheduler named {@value #CLUSTER_NAME} (the name is what makes instances one cluster: it is the {@code SCHED_NAME}
 * of every row; the table prefix separates clusters).
 * <p>
 * Quartz keeps one scheduler per name per JVM in its {@link SchedulerRepository} and hands the first one to whoever
 * asks again; two CamelContexts in one JVM would then share one scheduler and each one's jobs would look up the other
 * context. Each context gets its own instead: the scheduler is taken out of the repository as soon as it is built,
 * and its connection provider is registered under a name of its own.
 */
final class ClusteredSchedulerFactory implements SchedulerFactory {
    static final String CLUSTER_NAME = "selfheal";
    /** Building a scheduler binds it in the JVM-wide repository under its name until this class removes it. */
    private static final Object REPOSITORY_LOCK = new Object();

    private final ScheduleSettings settings;
    private Scheduler scheduler;

    ClusteredSchedulerFactory(ScheduleSettings settings) {
        this.settings = settings;
    }

    @Override
    public synchronized Scheduler getScheduler() throws SchedulerException {
        if (scheduler != null && !scheduler.isShutdown()) {
            return scheduler;
        }
        String dataSource = "selfheal-schedule-" + UUID.randomUUID();
        PooledDataSource pool = new PooledDataSource(settings.database(), "selfheal-schedule");
        try {
            new QuartzTables(pool, settings.tablePrefix()).createIfAbsent();
        } catch (SQLException | RuntimeException e) {
            pool.close();
            throw new SchedulerException("Could not create Quartz's tables (prefix " + settings.tablePrefix()
                    + ") in the schedule's database " + settings.database().describeUrl() + " (" + settings.databaseKey()
                    + "): " + e.getMessage(), e);
        }
        DBConnectionManager.getInstance().addConnectionProvider(dataSource, new PooledConnectionProvider(pool));
        synchronized (REPOSITORY_LOCK) {
            Scheduler s = new StdSchedulerFactory(properties(dataSource)).getScheduler();
            SchedulerRepository.getInstance().remove(s.getSchedulerName());
            scheduler = s;
        }
        return scheduler;
    }

    /** Quartz's settings: no credentials in them (see {@link PooledConnectionProvider}). */
    Properties properties(String dataSource) {
        Properties p = new Properties();
        p.setProperty(StdSchedulerFactory.PROP_SCHED_INSTANCE_NAME, CLUSTER_NAME);
        p.setProperty(StdSchedulerFactory.PROP_SCHED_INSTANCE_ID, StdSchedulerFactory.AUTO_GENERATE_INSTANCE_ID);
        p.setProperty(StdSchedulerFactory.PROP_SCHED_INSTANCE_ID_GENERATOR_CLASS, InstanceIds.class.getName());
                p.setProperty(StdSchedulerFactory.PROP_THREAD_POOL_CLASS, SimpleThreadPool.class.getName());
        p.setProperty("org.quartz.threadPool.threadCount", String.valueOf(settings.threads()));
        p.setProperty("org.quartz.threadPool.threadNamePrefix", "selfheal-schedule");
        p.setProperty(StdSchedulerFactory.PROP_JOB_STORE_CLASS, JobStoreTX.class.getName());
        p.setProperty("org.quartz.jobStore.driverDelegateClass", PostgreSQLDelegate.class.getName());
        p.setProperty("org.quartz.jobStore.dataSource", dataSource);
        p.setProperty("org.quartz.jobStore.tablePrefix", settings.tablePrefix());
        p.setProperty("org.quartz.jobStore.isClustered", "true");
        p.setProperty("org.quartz.jobStore.clusterCheckinInterval", String.valueOf(settings.checkInInterval().toMillis()));
        // take the trigger lock while acquiring, so two instances never acquire one trigger
        p.setProperty("org.quartz.jobStore.acquireTriggersWithinLock", "true");
        return p;
    }

    @Override
    public synchronized Scheduler getScheduler(String name) throws SchedulerException {
        return scheduler != null && scheduler.getSchedulerName().equals(name) ? scheduler : null;
    }

    @Override
    public synchronized Collection<Scheduler> getAllSchedulers() {
        return scheduler == null ? List.of() : List.of(scheduler);
    }
}
