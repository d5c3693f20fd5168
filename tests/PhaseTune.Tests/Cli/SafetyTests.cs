using Xunit;

namespace PhaseTune.Tests.Cli;

/// <summary>Commands refuse, before doing any work, to write where they read.</summary>
public class SafetyTests
{
    static readonly string Snips = Path.Combine(Paths.Shared, "datasets", "snips2");
    static readonly string Vocab = Path.Combine(Paths.Models, "bert-base-uncased", "vocab.txt");

    [Fact]
    public void EmbedAndPredictNeverOverwriteTheirInput()
    {
        string dir = Paths.TempDir(), notes = Path.Combine(dir, "notes.txt");
        File.WriteAllText(notes, "my only copy\n");
        var (code, _, err) = CliRunner.Run("embed", "--model", Paths.Fixture("tiny-bert"), "--input", notes, "--output", notes);
        Assert.NotEqual(0, code);
        Assert.Contains($"--output {notes} is the same as --input {notes}", err);
        Assert.Equal("my only copy\n", File.ReadAllText(notes));
        (code, _, err) = CliRunner.Run("predict", "--model", Paths.Fixture("tiny-bert"), "--input", notes, "--output", Path.Combine(Paths.Fixture("tiny-bert"), "p.jsonl"));
        Assert.NotEqual(0, code);
        Assert.Contains("lies inside --model", err);
        Assert.Equal("my only copy\n", File.ReadAllText(notes));
    }

    [Fact]
    public void TrainRefusesAnOutputFolderInsideItsDataOrHoldingItsModel()
    {
        string dir = Paths.TempDir(), data = Path.Combine(dir, "data");
        Directory.CreateDirectory(data);
        File.Copy(Path.Combine(Snips, "train.jsonl"), Path.Combine(data, "train.jsonl"));
        var (code, _, err) = CliRunner.Run("train", "--data", data, "--model", "scratch:tiny", "--vocab", Vocab, "--out", Path.Combine(data, "run"));
        Assert.NotEqual(0, code);
        Assert.Contains("lies inside --data", err);
        Assert.False(Directory.Exists(Path.Combine(data, "run")));
        Directory.CreateDirectory(Path.Combine(dir, "prev", "model"));
        (code, _, err) = CliRunner.Run("train", "--data", Snips, "--model", Path.Combine(dir, "prev", "model"), "--out", Path.Combine(dir, "prev"));
        Assert.NotEqual(0, code);
        Assert.Contains("would overwrite --model", err);
    }
}
