using System.Diagnostics;
using Xunit;

namespace PhaseTune.Tests.Build;

/// <summary>build/fix-libtorchsharp.sh: the output copy of libLibTorchSharp.so is repaired only where the host's
/// libstdc++ lacks GLIBCXX_3.4.32, and the NuGet cache copy is never touched.</summary>
public class NativeRepairTests
{
    static string Sh(string cmd)
    {
        var psi = new ProcessStartInfo("bash", ["-c", cmd]) { RedirectStandardOutput = true };
        using var p = Process.Start(psi)!;
        string o = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return o;
    }

    static bool HostNeedsRepair() =>
        Sh("f=$(/sbin/ldconfig -p | awk '/libstdc\\+\\+\\.so\\.6 .*x86-64/ {print $NF; exit}'); grep -c GLIBCXX_3.4.32 \"$f\" || true").Trim() == "0";

    static readonly string Output = Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");

    [Fact]
    public void OutputCopyIsRepairedExactlyWhenTheHostNeedsIt()
    {
        if (!OperatingSystem.IsLinux() || !File.Exists(Output)) return;
        string dynamic = Sh($"readelf -d '{Output}'");
        string versions = Sh($"readelf -V '{Output}'");
        if (HostNeedsRepair())
        {
            Assert.Contains("libphasetune_iosinit.so", dynamic);
            Assert.True(File.Exists(Path.Combine(Path.GetDirectoryName(Output)!, "libphasetune_iosinit.so")));
            Assert.Matches(@"Name: GLIBCXX_3\.4\.32\s+Flags: WEAK", versions);
            Assert.DoesNotContain("ios_base_library_initv@GLIBCXX_3.4.32", Sh($"nm -D '{Output}'"));
        }
        else Assert.DoesNotContain("libphasetune_iosinit.so", dynamic);
    }

    [Fact]
    public void NuGetCacheCopyIsUntouched()
    {
        string home = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        string cached = Path.Combine(home, "torchsharp", "0.107.0", "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        if (!File.Exists(cached)) return;
        Assert.DoesNotContain("libphasetune_iosinit.so", Sh($"readelf -d '{cached}'"));
    }
}
