using System.Text.RegularExpressions;
using Xunit;

namespace PhaseTune.Tests.Architecture;

/// <summary>The library's folders are layers that may only look down: a file may reference its own layer and the
/// ones before it in <see cref="Layers"/>, never one after it. Read from the sources' using directives and
/// namespace-qualified names, so a new upward reference fails here before it lands. The layers span the library
/// projects: PhaseTune.Tokenizers holds IO's file helpers and Text (no native dependency), PhaseTune.Inference is the
/// Inference layer as a whole (OnnxRuntime, no TorchSharp), and PhaseTune (PhaseTune.Core) holds the rest.</summary>
public class LayeringTests
{
    public static readonly string[] Layers =
        ["IO", "Hub", "Text", "Inference", "Data", "Models", "ModelFiles", "Evaluation", "Baselines", "Losses", "Augmentation", "Training", "Phases", "MultiTask", "Reports", "Runs", "Benchmarks"];

    /// <summary>Every library project's folder: src/PhaseTune and src/PhaseTune.X, the CLI excepted.</summary>
    static IEnumerable<string> Libraries => Directory.EnumerateDirectories(Path.Combine(Paths.RepoRoot, "src"), "PhaseTune*")
        .Where(d => Path.GetFileName(d) != "PhaseTune.Cli" && File.Exists(Path.Combine(d, Path.GetFileName(d) + ".csproj")));

    /// <summary>(file, layer folders below PhaseTune) for each library source: a project named after a layer is that
    /// layer throughout; in the others, the first folder is the layer.</summary>
    static IEnumerable<(string File, string Rel, string[] Parts)> LibraryFiles() => Libraries.SelectMany(lib =>
    {
        var project = Path.GetFileName(lib);
        var ownLayer = project.StartsWith("PhaseTune.") && Layers.Contains(project["PhaseTune.".Length..]) ? project["PhaseTune.".Length..] : null;
        return SourceFiles(lib).Select(f =>
        {
            var rel = Path.GetRelativePath(lib, f);
            var dirs = Path.GetDirectoryName(rel)!.Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries);
            return (f, Path.Combine(project, rel), ownLayer is null ? dirs : [ownLayer, .. dirs]);
        });
    });

    static IEnumerable<string> SourceFiles(string root) => Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories)
        .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}") && !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}"));

    /// <summary>Code without comments and string literals, so prose and messages never count as references.</summary>
    static string Code(string source)
    {
        source = Regex.Replace(source, @"//[^\n]*", "");
        source = Regex.Replace(source, @"/\*.*?\*/", "", RegexOptions.Singleline);
        return Regex.Replace(source, @"\$?@?""(?:[^""\\\n]|\\.)*""", "\"\"");
    }

    /// <summary>The layers a file's code names: `using PhaseTune.X`, `PhaseTune.X.Y`, or `X.Type` relative to PhaseTune.</summary>
    public static IReadOnlySet<string> ReferencedLayers(string source)
    {
        var code = Code(source);
        var found = new HashSet<string>();
        foreach (Match m in Regex.Matches(code, @"\bPhaseTune\.(\w+)")) found.Add(m.Groups[1].Value);
        foreach (Match m in Regex.Matches(code, @"(?<![\w.])(\w+)\.[A-Z]"))
            if (Layers.Contains(m.Groups[1].Value)) found.Add(m.Groups[1].Value);
        found.IntersectWith(Layers);
        return found;
    }

    /// <summary>"file: Layer → Upper" for every reference from a layer to one above it.</summary>
    public static List<string> UpwardReferences(string layer, string file, string source)
    {
        int own = Array.IndexOf(Layers, layer);
        return ReferencedLayers(source).Where(l => Array.IndexOf(Layers, l) > own).Order().Select(l => $"{file}: {layer} → {l}").ToList();
    }

    [Fact]
    public void EveryFolderIsALayerAndItsNamespace()
    {
        Assert.Contains(LibraryFiles(), f => f.Rel.StartsWith("PhaseTune.Tokenizers"));
        foreach (var (file, rel, parts) in LibraryFiles())
        {
            Assert.True(parts.Length > 0 && Layers.Contains(parts[0]), $"{rel} is not inside a layer folder ({string.Join(", ", Layers)})");
            var ns = Regex.Match(File.ReadAllText(file), @"^namespace ([\w.]+);", RegexOptions.Multiline).Groups[1].Value;
            Assert.Equal("PhaseTune." + string.Join('.', parts), ns);
        }
    }

    [Fact]
    public void NoLayerReferencesALayerAboveIt()
    {
        var violations = LibraryFiles().Where(f => f.Parts.Length > 0)
            .SelectMany(f => UpwardReferences(f.Parts[0], f.Rel, File.ReadAllText(f.File))).ToList();
        Assert.True(violations.Count == 0, "upward references:\n" + string.Join("\n", violations));
    }

    [Fact]
    public void TheCheckSeesUsingsQualifiedNamesAndIgnoresCommentsAndStrings()
    {
        Assert.Equal(["Models: Models → Phases"], UpwardReferences("Models", "Models", "using PhaseTune.Phases;\nnamespace PhaseTune.Models;"));
        Assert.NotEmpty(UpwardReferences("Text", "f", "namespace PhaseTune.Text;\nclass A { Training.BatchOrder x; }"));
        Assert.NotEmpty(UpwardReferences("Data", "f", "namespace PhaseTune.Data;\nclass A { PhaseTune.Runs.TrainRun x; }"));
        Assert.Empty(UpwardReferences("Text", "f", "namespace PhaseTune.Text;\n// see Training.Trainer\nclass A { string s = \"Runs.TrainRun\"; int n = e.Training.Count; }"));
        Assert.Empty(UpwardReferences("Runs", "f", "using PhaseTune.Models;\nusing PhaseTune.IO;\nnamespace PhaseTune.Runs;"));
    }

    [Fact]
    public void EachLibraryFileDeclaresOnePublicTypeNamedAfterIt()
    {
        var decl = new Regex(@"^(?:public |internal )(?:(?:sealed|static|abstract|readonly|partial) )*(?:record struct|record|class|interface|enum|struct) (\w+)", RegexOptions.Multiline);
        foreach (var (file, rel, _) in LibraryFiles())
        {
            var names = decl.Matches(File.ReadAllText(file)).Select(m => m.Groups[1].Value).ToList();
            Assert.True(names.Count == 1 && names[0] == Path.GetFileNameWithoutExtension(file),
                $"{rel} declares {string.Join(", ", names)}");
        }
    }
}
