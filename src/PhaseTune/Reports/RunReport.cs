using PhaseTune.Training;

namespace PhaseTune.Reports;

/// <summary>A finished run's plots and (for a classifier run) model card, together.</summary>
public static class RunReport
{
    /// <summary>For `phasetune report`: checks that <paramref name="runDir"/> is a finished train run before writing anything.</summary>
    /// <returns>the files written</returns>
    public static List<string> Write(string runDir)
    {
        foreach (var need in new[] { "metrics.json", Path.Combine("model", "training_config.json") })
            if (!File.Exists(Path.Combine(runDir, need)))
                throw new FileNotFoundException($"{runDir}: no {need}; report needs a finished train run's folder");
        var written = RunPlots.Write(runDir);
        written.Add(ModelCard.Write(runDir, written));
        return written;
    }

    /// <summary>At the end of a run, after its model and metrics are written whole: a failure here is reported, not
    /// thrown, so it never costs the training; `phasetune report DIR` can try again.</summary>
    public static void TryWrite(string runDir, ITrainingObserver? observer, bool card)
    {
        try
        {
            var plots = RunPlots.Write(runDir);
            if (card) ModelCard.Write(runDir, plots);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException or ArgumentException or InvalidOperationException or TypeInitializationException or DllNotFoundException)
        {
            string message = $"could not write {(card ? "the plots and model card" : "the plots")} of {runDir} ({e.GetType().Name}: {e.Message}); " +
                $"the model and metrics are saved, and `phasetune report {runDir}` tries again";
            if (observer is null) Console.Error.WriteLine("phasetune: " + message);
            else observer.Message(message);
        }
    }
}
