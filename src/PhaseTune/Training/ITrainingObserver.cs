namespace PhaseTune.Training;

/// <summary>What a user sees of training: progress and messages. The CLI draws bars; tests stay silent.</summary>
public interface ITrainingObserver
{
    void PhaseStarted(string phase, long totalSteps, long doneSteps);
    void Step(string phase, int epoch, long step, double loss, double lr);
    void PhaseFinished(string phase, TimeSpan elapsed);
    void Message(string text);
}
