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

/// <summary>The README's C# snippet compiles against PhaseTune.Inference alone and prints each text's predicted label.</summary>
public class ReadmeSnippetTests
{
    [Fact]
    public void TheReadmeSnippetCompilesAndPredicts()
    {
        string dir = Paths.TempDir(), saved = Path.Combine(dir, "model"), export = Path.Combine(dir, "deploy");
        ClassifierDirectory.Save(OnnxExportTests.ToyClassifier("relu", PoolingMode.Mean), saved);
        OnnxDirectory.Export(saved, export);

        string readme = File.ReadAllText(Path.Combine(Paths.RepoRoot, "README.md"));
        var blocks = Regex.Matches(readme, "```csharp\n(.*?)```", RegexOptions.Singleline);
        Assert.Single(blocks);
        string code = Regex.Replace(blocks[0].Groups[1].Value, "string folder = \"[^\"]*\";", $"string folder = {JsonSerializer.Serialize(export)};");
        Assert.Contains(export, code);

        // the SDK's implicit usings of a console project; references: the BCL and PhaseTune.Inference's closure only
        var usings = CSharpSyntaxTree.ParseText("global using System; global using System.Collections.Generic; global using System.IO; global using System.Linq; global using System.Threading.Tasks;");
        var trusted = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Where(p => Path.GetFileName(p).StartsWith("System.") || Path.GetFileName(p) is "netstandard.dll" or "mscorlib.dll");
        var own = new[] { typeof(OnnxTextClassifier).Assembly, typeof(PhaseTune.Text.ITokenizer).Assembly }.Select(a => a.Location);
        var compilation = CSharpCompilation.Create("readme", [CSharpSyntaxTree.ParseText(code, new CSharpParseOptions(LanguageVersion.Latest)), usings],
            trusted.Concat(own).Select(p => MetadataReference.CreateFromFile(p)), new CSharpCompilationOptions(OutputKind.ConsoleApplication));
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
