using System.Diagnostics;

namespace PhaseTune.Tests.Cli;

/// <summary>Runs the built `phasetune` CLI as a separate process, as users and outside checks do.</summary>
public static class CliRunner
{
    static readonly string Dll = Path.Combine(Paths.RepoRoot, "src", "PhaseTune.Cli", "bin",
        AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}") ? "Release" : "Debug",
        "net10.0", "phasetune.dll");

    public static (int Code, string Stdout, string Stderr) Run(params string[] args) => Run(new Dictionary<string, string?>(), args);

    /// <summary>Runs with <paramref name="environment"/> set in the child's environment (null removes a variable), so the
    /// test process's own environment never changes.</summary>
    public static (int Code, string Stdout, string Stderr) Run(IReadOnlyDictionary<string, string?> environment, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var (key, value) in environment)
            if (value is null) psi.Environment.Remove(key); else psi.Environment[key] = value;
        psi.ArgumentList.Add(Dll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(5))) { p.Kill(true); throw new TimeoutException("phasetune did not finish"); }
        return (p.ExitCode, stdout.Result, stderr.Result);
    }
}
