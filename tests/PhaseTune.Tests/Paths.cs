namespace PhaseTune.Tests;

/// <summary>Locates the repository and the read-only ../shared folder beside it.</summary>
public static class Paths
{
    public static readonly string RepoRoot = FindRoot();
    public static readonly string Shared = Environment.GetEnvironmentVariable("PHASETUNE_SHARED")
        ?? Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared"));
    public static string Models => Path.Combine(Shared, "models");
    public static string Fixture(string name) => Path.Combine(Models, "fixtures", name);
    /// <summary>A fixture committed with the tests (tests/PhaseTune.Tests/Fixtures, made by tools/make_arch_fixtures.py).</summary>
    public static string RepoFixture(string name) => Path.Combine(RepoRoot, "tests", "PhaseTune.Tests", "Fixtures", name);

    static string FindRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "PhaseTune.slnx"))) return d.FullName;
        throw new DirectoryNotFoundException("repository root (PhaseTune.slnx) not found above " + AppContext.BaseDirectory);
    }

    public static string TempDir()
    {
        var d = Path.Combine(Path.GetTempPath(), "phasetune-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(d);
        return d;
    }
}
