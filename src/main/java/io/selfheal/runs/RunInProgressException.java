package io.selfheal.runs;

/** A run of this job is still RUNNING on this instance: never two runs of one job at once on one instance. */
public class RunInProgressException extends IllegalStateException {
    private final String job;
    private final String instanceId;

    public RunInProgressException(String job, String instanceId) {
        super("job " + job + " already has a run in progress on instance " + instanceId);
        this.job = job;
        this.instanceId = instanceId;
    }

    public String job() {
        return job;
    }

    public String instanceId() {
        return instanceId;
    }
}
