using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using PhaseTune.Inference;
using PhaseTune.ModelFiles;
using PhaseTune.ModelFiles.Onnx;
using PhaseTune.Models;
using PhaseTune.Tests.ModelFiles;
using Xunit;

namespace PhaseTune.Tests.Inference;

/// <summary>The README's C# snippets: the serving one compiles against PhaseTune.Inference alone and prints each text's
/// predicted label; the training one compiles against the PhaseTune package's assemblies.</summary>
public class ReadmeSnippetTests
{
    static List<string> Blocks() => Regex.Matches(File.ReadAllText(Path.Combine(Paths.RepoRoot, "README.md")), "```csharp\n(.*?)```", RegexOptions.Singleline)
        .Select(m => m.Groups[1].Value).ToList();

    static readonly SyntaxTree ImplicitUsings = CSharpSyntaxTree.ParseText("global using System; global using System.Collections.Generic; global using System.IO; " +
        "global using System.Linq; global using System.Threading; global using System.Threading.Tasks;");

    static IEnumerable<string> Bcl() => ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
        .Where(p => Path.GetFileName(p).StartsWith("System.") || Path.GetFileName(p) is "netstandard.dll" or "mscorlib.dll");

    static CSharpCompilation Compile(string code, IEnumerable<string> references) =>
        CSharpCompilation.Create("readme", [CSharpSyntaxTree.ParseText(code, new CSharpParseOptions(LanguageVersion.Latest)), ImplicitUsings],
            Bcl().Concat(references).Select(p => MetadataReference.CreateFromFile(p)), new CSharpCompilationOptions(OutputKind.ConsoleApplication));

    [Fact]
    public void TheReadmeTrainingSnippetCompilesAgainstThePackagesAssemblies()
    {
        string code = Assert.Single(Blocks(), b => b.Contains("PhaseTuner"));
        string[] closure = ["PhaseTune.Core", "PhaseTune.Inference", "PhaseTune.Tokenizers", "TorchSharp", "Microsoft.Extensions.Logging.Abstractions",
            "Microsoft.Extensions.AI.Abstractions"];
        var errors = Compile(code, closure.Select(n => Path.Combine(AppContext.BaseDirectory, n + ".dll"))).GetDiagnostics()
            .Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }

    [Fact]
    public void TheReadmeSnippetCompilesAndPredicts()
    {
        string dir = Paths.TempDir(), saved = Path.Combine(dir, "model"), export = Path.Combine(dir, "deploy");
        ClassifierDirectory.Save(OnnxExportTests.ToyClassifier("relu", PoolingMode.Mean), saved);
        OnnxDirectory.Export(saved, export);

        string code = Regex.Replace(Assert.Single(Blocks(), b => b.Contains("OnnxTextClassifier")), "string folder = \"[^\"]*\";", $"string folder = {JsonSerializer.Serialize(export)};");
        Assert.Contains(export, code);

        // the SDK's implicit usings of a console project; references: the BCL and PhaseTune.Inference's own assemblies only
        var compilation = Compile(code, new[] { typeof(OnnxTextClassifier).Assembly, typeof(PhaseTune.Text.ITokenizer).Assembly }.Select(a => a.Location));
        using var image = new MemoryStream();
        var emitted = compilation.Emit(image);
        Assert.True(emitted.Success, string.Join("\n", emitted.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error)));

        var output = new StringWriter();
        var console = Console.Out;
        Console.SetOut(output);
        try { Assembly.Load(image.ToArray()).EntryPoint!.Invoke(null, [Array.Empty<string>()]); }
        finally { Console.SetOut(console); }

        var lines = output.ToString().Split('\n').Where(l => l.Contains(" -> ")).ToList();
        using var classifier = new OnnxTextClassifier(export);
        var texts = lines.Select(l => l[..l.IndexOf(" -> ")]).ToArray();
        Assert.Equal(2, texts.Length);
        var expected = classifier.Predict(texts);
        for (int i = 0; i < texts.Length; i++)
            Assert.StartsWith($"{texts[i]} -> {expected[i]} (", lines[i]);
    }
}
