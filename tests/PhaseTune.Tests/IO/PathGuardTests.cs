using PhaseTune.IO;
using Xunit;

namespace PhaseTune.Tests.IO;

public class PathGuardTests
{
    [Fact]
    public void AnOutputThatIsInsideOrHoldsAnInputIsRefusedNamingBoth()
    {
        string dir = Paths.TempDir(), data = Path.Combine(dir, "data"), notes = Path.Combine(dir, "notes.txt");
        Directory.CreateDirectory(data);
        File.WriteAllText(notes, "keep me\n");
        var same = Assert.Throws<ArgumentException>(() => PathGuard.CheckOutput(("--output", notes), ("--input", notes))).Message;
        Assert.Contains($"--output {notes} is the same as --input {notes}", same);
        Assert.Contains("lies inside --data", Assert.Throws<ArgumentException>(() => PathGuard.CheckOutput(("--out", Path.Combine(data, "run")), ("--data", data))).Message);
        // an output folder may hold an input, unless it writes over it
        PathGuard.CheckOutputFolder(("--out", dir), ["model", "seed-*"], ("--data", data), ("--config", notes));
        Directory.CreateDirectory(Path.Combine(dir, "model"));
        Directory.CreateDirectory(Path.Combine(dir, "seed-1", "x"));
        Assert.Contains("would overwrite --model", Assert.Throws<ArgumentException>(() =>
            PathGuard.CheckOutputFolder(("--out", dir), ["model", "seed-*"], ("--model", Path.Combine(dir, "model")))).Message);
        Assert.Contains("would overwrite --data", Assert.Throws<ArgumentException>(() =>
            PathGuard.CheckOutputFolder(("--out", dir), ["model", "seed-*"], ("--data", Path.Combine(dir, "seed-1", "x")))).Message);
        PathGuard.CheckOutput(("--out", Path.Combine(dir, "run")), ("--data", data), ("--model", "scratch:tiny"), ("--vocab", null));
        Assert.Equal("keep me\n", File.ReadAllText(notes));
    }

    [Fact]
    public void SymbolicLinksAreResolvedBeforeComparing()
    {
        string dir = Paths.TempDir(), real = Path.Combine(dir, "real.txt"), link = Path.Combine(dir, "link.txt"), linkDir = Path.Combine(dir, "alias");
        File.WriteAllText(real, "x");
        File.CreateSymbolicLink(link, real);
        Directory.CreateSymbolicLink(linkDir, dir);
        Assert.Equal(PathGuard.RealPath(real), PathGuard.RealPath(link));
        Assert.Equal(PathGuard.RealPath(real), PathGuard.RealPath(Path.Combine(linkDir, "real.txt")));
        Assert.Throws<ArgumentException>(() => PathGuard.CheckOutput(("--output", link), ("--input", real)));
        Assert.Throws<ArgumentException>(() => PathGuard.CheckOutput(("--output", Path.Combine(linkDir, "real.txt")), ("--input", real)));
        Assert.Equal(Path.Combine(PathGuard.RealPath(dir), "new", "file.txt"), PathGuard.RealPath(Path.Combine(linkDir, "new", "file.txt")));
    }
}
