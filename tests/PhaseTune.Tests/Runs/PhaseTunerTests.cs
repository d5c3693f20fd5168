using Microsoft.Extensions.Logging;
using PhaseTune.Data;
using PhaseTune.Runs;
using PhaseTune.Training;
using Xunit;

namespace PhaseTune.Tests.Runs;

/// <summary>The C# entry: options resolved as the CLI resolves its flags, progress reports, a logger, and cancellation
/// that leaves a checkpoint from which the run ends exactly where an uninterrupted run ends.</summary>
public class PhaseTunerTests
{
    static readonly string Vocab = Path.Combine(Paths.Models, "bert-base-uncased", "vocab.txt");

    /// <summary>A slice of SNIPS: every 300th training row, every 35th dev and test row (7 labels).</summary>
    static DataOptions Slice()
    {
        string dir = Paths.TempDir(), snips = Path.Combine(Paths.Shared, "datasets", "snips2");
        void Take(string name, int every) => File.WriteAllLines(Path.Combine(dir, name + ".jsonl"),
            File.ReadLines(Path.Combine(snips, name + ".jsonl")).Where((_, i) => i % every == 0));
        Take("train", 300); Take("dev", 35); Take("test", 35);
        return new DataOptions { Dir = dir };
    }

    static TrainOptions Options(DataOptions data, string output) => new()
    {
        Model = "scratch:tiny", Vocab = Vocab, Data = data, Output = output,
        Settings = new Dictionary<string, string?>
        {
            ["--phases"] = "dae,cl,ft", ["--seed"] = "3", ["--batch-size"] = "8", ["--cl-aug"] = "1", ["--ft-epochs"] = "2",
            ["--max-length"] = "24", ["--no-select-best"] = null, ["--threads"] = "1",
        },
    };

    /// <summary>Reports in order, on the training thread (as <see cref="Progress{T}"/> would not); cancels at a step.</summary>
    sealed class Recorder(CancellationTokenSource? cancel = null, string phase = "", long atStep = -1) : IProgress<TrainingProgress>
    {
        public readonly List<TrainingProgress> Reports = [];
        public void Report(TrainingProgress p)
        {
            Reports.Add(p);
            if (p.Phase == phase && p.Step == atStep && p.Loss is not null) cancel?.Cancel();
        }
    }

    sealed class ListLogger : ILogger<PhaseTuner>
    {
        public readonly List<(LogLevel Level, string Text)> Lines = [];
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Lines.Add((logLevel, formatter(state, exception)));
    }

    static byte[] Saved(string run, string file) => File.ReadAllBytes(Path.Combine(run, "model", file));

    [Fact]
    public async Task CancelledTrainAsyncStartedAgainEndsWithTheWeightsOfAnUninterruptedRun()
    {
        var data = Slice();
        string full = Paths.TempDir(), cancelled = Paths.TempDir();
        var logger = new ListLogger();
        var progress = new Recorder();
        var tuner = new PhaseTuner(logger);
        var reference = await tuner.TrainAsync(Options(data, full), progress);
        reference.Model.Dispose();

        // progress: every phase starts, steps with monotone step numbers, and finishes
        Assert.Equal(["dae", "cl", "ft"], progress.Reports.Select(p => p.Phase).Distinct());
        foreach (var phase in progress.Reports.GroupBy(p => p.Phase))
        {
            var reports = phase.ToList();
            Assert.True(reports[0].Loss is null && !reports[0].PhaseFinished, $"{phase.Key} does not begin with its start");
            Assert.True(reports[^1].PhaseFinished, $"{phase.Key} does not end with its finish");
            Assert.True(reports.Count > 3, $"{phase.Key}: {reports.Count} reports");
            for (int i = 1; i < reports.Count; i++) Assert.True(reports[i].Step >= reports[i - 1].Step, $"{phase.Key}: step {reports[i].Step} after {reports[i - 1].Step}");
            Assert.All(reports.Skip(1).SkipLast(1), p => Assert.True(p.Loss is double l && double.IsFinite(l) && p.Epoch >= 1 && p.TotalSteps >= p.Step));
        }
        // the logger: the run's messages at information level, the phase boundaries at debug level
        Assert.Contains(logger.Lines, l => l.Level == LogLevel.Information && l.Text.StartsWith("train ") && l.Text.Contains("7 labels; phases dae,cl,ft"));
        Assert.Contains(logger.Lines, l => l.Level == LogLevel.Debug && l.Text.StartsWith("ft: done in"));

        // cancelled mid-epoch in the DAE phase, then at the end of fine-tuning's first epoch (after its dev score and
        // early-stopping state), and started again each time
        long daeSteps = progress.Reports.First(p => p.Phase == "dae").TotalSteps;
        long ftPerEpoch = progress.Reports.First(p => p.Phase == "ft").TotalSteps / 2;
        Assert.True(daeSteps >= 4 && ftPerEpoch >= 2, $"dae {daeSteps} steps, ft {ftPerEpoch} per epoch");
        foreach (var (phase, step) in new[] { ("dae", daeSteps / 2), ("ft", ftPerEpoch) })
        {
            using var cancel = new CancellationTokenSource();
            var stopAt = new Recorder(cancel, phase, step);
            var e = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => tuner.TrainAsync(Options(data, cancelled), stopAt, cancel.Token));
            Assert.Contains("start the run again to resume", e.Message);
            Assert.Equal(step, stopAt.Reports.Last().Step);   // stopped at the step it was asked at
            Assert.True(File.Exists(Path.Combine(cancelled, "checkpoint", "state.json")));
            Assert.False(File.Exists(Path.Combine(cancelled, "metrics.json")));
        }
        Assert.Contains(logger.Lines, l => l.Text.StartsWith("dae: cancelled; the checkpoint at epoch"));
        using var resumed = (await tuner.TrainAsync(Options(data, cancelled))).Model;
        // each start resumed where it was cancelled (the DAE phase has one epoch here)
        Assert.Contains(logger.Lines, l => l.Text == $"resuming dae at epoch 1, batch {daeSteps / 2}");
        Assert.Contains(logger.Lines, l => l.Text == "resuming ft at epoch 2, batch 0");

        foreach (var file in new[] { "model.safetensors", "head.safetensors" })
            Assert.True(Saved(full, file).AsSpan().SequenceEqual(Saved(cancelled, file)), $"{file} differs from the uninterrupted run's");
        Assert.Equal(File.ReadAllLines(Path.Combine(full, "log.jsonl")), File.ReadAllLines(Path.Combine(cancelled, "log.jsonl")));
        Assert.False(Directory.Exists(Path.Combine(cancelled, "checkpoint")));
    }

    [Fact]
    public async Task ATokenCancelledBeforeTheStartRunsNothing()
    {
        string dir = Paths.TempDir();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            new PhaseTuner().TrainAsync(Options(new DataOptions { Dir = "nowhere" }, dir), null, new CancellationToken(true)));
        Assert.Empty(Directory.GetFileSystemEntries(dir));
    }

    [Fact]
    public void SettingsResolveAsTheSameFlagsOnTheCommandLine()
    {
        var options = Options(new DataOptions(), Paths.TempDir());
        var config = options.ResolveConfig();
        var overrides = TrainOptions.Flags.Where(f => options.Settings.ContainsKey(f.Flag))
            .SelectMany(f => f.IsSwitch ? f.Overrides() : f.Overrides(options.Settings[f.Flag]));
        Assert.Equal(ConfigResolver.Resolve("scratch:tiny", null, overrides).ToJson(), config.ToJson());
        Assert.Equal("scratch", config.Preset);
        Assert.Equal(2, config.Ft.MaxEpochs);
        Assert.False(config.SelectBest);

        var e = Assert.Throws<ArgumentException>(() => (options with { Settings = new Dictionary<string, string?> { ["--ft-epoch"] = "2" } }).ResolveConfig());
        Assert.Contains("unknown key '--ft-epoch'", e.Message);
        Assert.Contains("did you mean '--ft-epochs'", e.Message);
        var s = Assert.Throws<ArgumentException>(() => (options with { Settings = new Dictionary<string, string?> { ["--freeze-encoder"] = "yes" } }).ResolveConfig());
        Assert.Contains("--freeze-encoder is a switch", s.Message);
        var r = Assert.Throws<ArgumentException>(() => (options with { Settings = new Dictionary<string, string?> { ["--phases"] = "dae,cl" } }).ResolveConfig());
        Assert.Contains("phases 'dae,cl' not supported", r.Message);
    }
}
