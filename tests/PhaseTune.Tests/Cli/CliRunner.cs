using System.Diagnostics;

namespace PhaseTune.Tests.Cli;

/// <summary>Runs the built `phasetune` CLI as a separate process, as users and outside checks do.</summary>
public static class CliRunner
{
    static readonly string Dll = Path.Combine(Paths.RepoRoot, "src", "PhaseTune.Cli", "bin",
        AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}") ? "Release" : "Debug",
        "net10.0", "phasetune.dll");

    public static (int Code, string Stdout, string Stderr) Run(params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(Dll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(5))) { p.Kill(true); throw new TimeoutException("phasetune did not finish"); }
        return (p.ExitCode, stdout.Result, stderr.Result);
    }
}
