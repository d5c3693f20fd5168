using PhaseTune.ModelFiles;
using Xunit;

namespace PhaseTune.Tests.ModelFiles;

/// <summary>A model folder may only make PhaseTune read files inside it.</summary>
public class SandboxTests
{
    static string CopyOf(string fixture)
    {
        string dest = Path.Combine(Paths.TempDir(), Path.GetFileName(fixture));
        foreach (var file in Directory.EnumerateFiles(fixture, "*", SearchOption.AllDirectories))
        {
            string target = Path.Combine(dest, Path.GetRelativePath(fixture, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
        return dest;
    }

    [Fact]
    public void AModulePathOutsideTheFolderIsRefusedNamingModulesJson()
    {
        string model = CopyOf(Paths.Fixture("tiny-bert-st"));
        // a sibling folder that looks like a transformer module: the load must not reach it
        string outside = CopyOf(Paths.Fixture("tiny-bert"));
        File.WriteAllText(Path.Combine(model, "modules.json"),
            $"[{{\"idx\": 0, \"name\": \"0\", \"path\": \"../../{Path.GetFileName(Path.GetDirectoryName(outside))}/tiny-bert\", \"type\": \"sentence_transformers.models.Transformer\"}}]");
        var e = Assert.Throws<InvalidDataException>(() => ModelDirectory.Load(model));
        Assert.Contains("modules.json", e.Message);
        Assert.Contains("outside the model folder", e.Message);
        File.WriteAllText(Path.Combine(model, "modules.json"), "[{\"path\": \"/etc\", \"type\": \"sentence_transformers.models.Transformer\"}]");
        Assert.Contains("absolute path '/etc'", Assert.Throws<InvalidDataException>(() => ModelDirectory.Load(model)).Message);
    }

    [Fact]
    public void ALinkOutOfTheFolderIsRefusedAndALinkInsideIsFollowed()
    {
        string model = CopyOf(Paths.Fixture("tiny-bert"));
        string weights = Path.Combine(model, "model.safetensors"), kept = Path.Combine(model, "weights", "real.safetensors");
        Directory.CreateDirectory(Path.GetDirectoryName(kept)!);
        File.Move(weights, kept);
        File.CreateSymbolicLink(weights, kept);
        Assert.True(ModelDirectory.Load(model).Model.Config.NumHiddenLayers > 0);   // a link inside the folder is followed
        string outside = Path.Combine(Paths.TempDir(), "stolen.safetensors");
        File.Copy(kept, outside);
        File.Delete(weights);
        File.CreateSymbolicLink(weights, outside);
        var e = Assert.Throws<InvalidDataException>(() => ModelDirectory.Load(model));
        Assert.Contains("model.safetensors", e.Message);
        Assert.Contains("outside the model folder", e.Message);
        File.Delete(weights);
        File.Move(kept, weights);
        File.Move(Path.Combine(model, "vocab.txt"), Path.Combine(Path.GetDirectoryName(outside)!, "vocab.txt"));
        File.CreateSymbolicLink(Path.Combine(model, "vocab.txt"), Path.Combine(Path.GetDirectoryName(outside)!, "vocab.txt"));
        Assert.Contains("vocab.txt", Assert.Throws<InvalidDataException>(() => ModelDirectory.Load(model)).Message);
    }
}
