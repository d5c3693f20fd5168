namespace PhaseTune.Training;

public sealed class SilentObserver : ITrainingObserver
{
    public static readonly SilentObserver Instance = new();
    public void PhaseStarted(string phase, long totalSteps, long doneSteps) { }
    public void Step(string phase, int epoch, long step, double loss, double lr) { }
    public void PhaseFinished(string phase, TimeSpan elapsed) { }
    public void Message(string text) { }
}
