using System.Diagnostics;
using System.Text.Json.Nodes;
using System.Xml.Linq;
using Xunit;
using Xunit.Abstractions;

namespace PhaseTune.Tests.Build;

/// <summary>The packages as a consumer sees them: `dotnet pack` into a folder feed, the tool installed from it, and the
/// samples in examples/csharp built against it (the console one also run: train, save, load, predict). Restores use
/// the feed and this machine's NuGet cache only (a fallback folder), with a package folder of their own, so nothing
/// is downloaded and the cache keeps no test packages. Slow (minutes): filter it out with
/// --filter "Category!=Slow".</summary>
public class PackageConsumerTests(ITestOutputHelper output)
{
    static readonly string Configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}") ? "Release" : "Debug";

    static string RepoVersion() =>
        XDocument.Load(Path.Combine(Paths.RepoRoot, "Directory.Build.props")).Descendants("Version").Single().Value;

    (string Stdout, string Stderr) Dotnet(string workDir, params string[] args) => Run("dotnet", workDir, args);

    (string Stdout, string Stderr) Run(string exe, string workDir, params string[] args)
    {
        var psi = new ProcessStartInfo(exe) { WorkingDirectory = workDir, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        // the test host's MSBuild settings must not leak into the nested builds
        foreach (var key in psi.Environment.Keys.Where(k => k.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase) || k == "MSBuildExtensionsPath" || k == "MSBuildSDKsPath").ToList())
            psi.Environment.Remove(key);
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["DOTNET_NOLOGO"] = "1";
        var clock = Stopwatch.StartNew();
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(5))) { p.Kill(true); throw new TimeoutException($"{exe} {string.Join(' ', args)} did not finish"); }
        output.WriteLine($"{clock.Elapsed.TotalSeconds,6:F1}s  {Path.GetFileName(exe)} {string.Join(' ', args)}");
        Assert.True(p.ExitCode == 0, $"{exe} {string.Join(' ', args)} exited {p.ExitCode}\n{stdout.Result}\n{stderr.Result}");
        return (stdout.Result, stderr.Result);
    }

    /// <summary>Free space the test needs at its peak (the feed, the installed tool and its libtorch, measured at about
    /// 2 GB) with room to spare, so that running it never fills a disk the rest of the suite writes to.</summary>
    const long NeededBytes = 3L << 30;

    [SkippableFact]
    [Trait("Category", "Slow")]
    public void PackedLibraryAndToolInstallBuildAndRunAsAConsumerUsesThem()
    {
        string root = Paths.TempDir();
        try
        {
            long free = new DriveInfo(root).AvailableFreeSpace;
            Skip.If(free < NeededBytes, $"needs {NeededBytes >> 20} MiB free under {root}, has {free >> 20} MiB");
            ConsumeThePackages(root);
        }
        finally { Directory.Delete(root, true); }
    }

    void ConsumeThePackages(string root)
    {
        var clock = Stopwatch.StartNew();
        string version = RepoVersion(), feed = Path.Combine(root, "feed");
        string cache = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        File.WriteAllText(Path.Combine(root, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources><clear /><add key="phasetune-feed" value="{feed}" /></packageSources>
              <fallbackPackageFolders><add key="cache" value="{cache}" /></fallbackPackageFolders>
              <config><add key="globalPackagesFolder" value="{Path.Combine(root, "packages")}" /></config>
            </configuration>
            """);

        // the solution's build is the test's own: pack it as it is
        Dotnet(Paths.RepoRoot, "pack", "PhaseTune.slnx", "--no-build", "-c", Configuration, "-o", feed);
        var packages = Directory.GetFiles(feed).Select(Path.GetFileName).Order().ToArray();
        foreach (var id in new[] { "PhaseTune", "PhaseTune.Tokenizers", "PhaseTune.Inference", "PhaseTune.Cli" })
        {
            Assert.Contains($"{id}.{version}.nupkg", packages);
            Assert.Contains($"{id}.{version}.snupkg", packages);
        }
        Assert.Equal(8, packages.Length);
        AssertLibraryPackage(Path.Combine(feed, $"PhaseTune.{version}.nupkg"), version);

        // the tool, as `dotnet tool install` puts it on a machine
        string tools = Path.Combine(root, "tools"), phasetune = Path.Combine(tools, "phasetune");
        Dotnet(root, "tool", "install", "PhaseTune.Cli", "--version", version, "--tool-path", tools);
        Assert.StartsWith(version, Run(phasetune, root, "--version").Stdout.Trim());
        string input = Path.Combine(root, "texts.txt"), vectors = Path.Combine(root, "vectors.jsonl");
        File.WriteAllLines(input, ["hello world", "a second, longer sentence"]);
        Run(phasetune, root, "embed", "--model", Paths.Fixture("tiny-bert-st"), "--input", input, "--output", vectors);
        var lines = File.ReadAllLines(vectors).Select(l => JsonNode.Parse(l)!).ToList();
        Assert.Equal(["hello world", "a second, longer sentence"], lines.Select(l => l["text"]!.GetValue<string>()));
        Assert.All(lines, l => Assert.True(l["embedding"]!.AsArray().Count > 0));
        // the tool and its package hold a libtorch each, which the samples do not need: free the space before they build
        Directory.Delete(tools, true);
        File.Delete(Path.Combine(feed, $"PhaseTune.Cli.{version}.nupkg"));

        // the samples, as a consumer's projects: the console one trains, saves, loads and predicts
        string examples = Path.Combine(root, "examples");
        CopyDirectory(Path.Combine(Paths.RepoRoot, "examples", "csharp"), examples);
        string data = Slice(Path.Combine(root, "data")), run = Path.Combine(root, "run");
        string app = Path.Combine(examples, "TrainAndPredict");
        var build = Dotnet(app, "build", "-p:PhaseTuneVersion=" + version);
        Assert.DoesNotContain("PT0002", build.Stdout);   // it references libtorch, so the check is quiet
        // the package's buildTransitive targets repair TorchSharp's native library where this host needs it
        bool needsRepair = Process.Start("bash", [Path.Combine(Paths.RepoRoot, "build", "host-needs-repair.sh")]) is { } check && check.WaitForExit(10_000) && check.ExitCode == 0;
        Assert.Equal(needsRepair, build.Stdout.Contains("fix-libtorchsharp: repaired"));
        var (stdout, _) = Dotnet(app, "bin/Debug/net10.0/TrainAndPredict.dll", data, Path.Combine(Paths.Models, "bert-base-uncased", "vocab.txt"), run);
        output.WriteLine(stdout);
        Assert.Contains("ft: done in", stdout);
        Assert.Contains("dev accuracy", stdout);
        Assert.Equal(2, stdout.Split('\n').Count(l => l.StartsWith("prediction: ")));
        Assert.True(File.Exists(Path.Combine(run, "model", "model.safetensors")));
        Dotnet(Path.Combine(examples, "PredictionService"), "build", "-p:PhaseTuneVersion=" + version);
        output.WriteLine($"consumer test: {clock.Elapsed.TotalSeconds:F0}s");
    }

    [Fact]
    public void TheSamplesDefaultToTheRepositorysVersion()
    {
        var props = XDocument.Load(Path.Combine(Paths.RepoRoot, "examples", "csharp", "Directory.Build.props"));
        Assert.Equal(RepoVersion(), props.Descendants("PhaseTuneVersion").Single().Value);
    }

    /// <summary>The library's package: its dependencies leave libtorch to the consumer, and the repair of TorchSharp's
    /// native library travels as buildTransitive targets.</summary>
    static void AssertLibraryPackage(string nupkg, string version)
    {
        using var zip = System.IO.Compression.ZipFile.OpenRead(nupkg);
        var entries = zip.Entries.Select(e => e.FullName).ToHashSet();
        foreach (var f in new[] { "lib/net10.0/PhaseTune.Core.dll", "README.md", "buildTransitive/PhaseTune.targets", "buildTransitive/fix-libtorchsharp.sh",
                     "buildTransitive/host-needs-repair.sh", "buildTransitive/native/ios_base_shim.c", "buildTransitive/native/verneed_weak.c" })
            Assert.Contains(f, entries);
        using var reader = new StreamReader(zip.GetEntry("PhaseTune.nuspec")!.Open());
        var nuspec = XDocument.Parse(reader.ReadToEnd());
        var deps = nuspec.Descendants().Where(e => e.Name.LocalName == "dependency").Select(e => (string)e.Attribute("id")!).ToList();
        Assert.Contains("TorchSharp", deps);
        Assert.Contains("PhaseTune.Tokenizers", deps);
        Assert.DoesNotContain(deps, d => d.StartsWith("libtorch", StringComparison.OrdinalIgnoreCase));
        Assert.Equal(version, nuspec.Descendants().Single(e => e.Name.LocalName == "version").Value);
        Assert.Equal("README.md", nuspec.Descendants().Single(e => e.Name.LocalName == "readme").Value);
    }

    /// <summary>A small SNIPS slice: every 300th training row, every 35th dev and test row.</summary>
    static string Slice(string dir)
    {
        Directory.CreateDirectory(dir);
        string snips = Path.Combine(Paths.Shared, "datasets", "snips2");
        foreach (var (name, every) in new[] { ("train", 300), ("dev", 35), ("test", 35) })
            File.WriteAllLines(Path.Combine(dir, name + ".jsonl"), File.ReadLines(Path.Combine(snips, name + ".jsonl")).Where((_, i) => i % every == 0));
        return dir;
    }

    static void CopyDirectory(string from, string to)
    {
        foreach (var file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
        {
            string rel = Path.GetRelativePath(from, file);
            if (rel.Split(Path.DirectorySeparatorChar).Any(p => p is "bin" or "obj")) continue;
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(to, rel))!);
            File.Copy(file, Path.Combine(to, rel));
        }
    }
}
