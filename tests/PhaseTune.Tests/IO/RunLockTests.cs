using System.Diagnostics;
using PhaseTune.IO;
using Xunit;

namespace PhaseTune.Tests.IO;

public class RunLockTests
{
    [Fact]
    public void ASecondRunOnTheSameFolderStopsWithTheHoldersProcessId()
    {
        string dir = Paths.TempDir();
        using (RunLock.Acquire(dir))
        {
            var e = Assert.Throws<IOException>(() => RunLock.Acquire(dir));
            Assert.Contains($"{dir} is in use by another PhaseTune run", e.Message);
            Assert.Contains($"process {Environment.ProcessId}", e.Message);
        }
        using (RunLock.Acquire(dir)) { }   // released on dispose
    }

    [Fact]
    public void TheLockOfAKilledProcessIsTakenOver()
    {
        string dir = Paths.TempDir();
        // another process takes the lock the way PhaseTune does (flock on the file), then is killed
        var psi = new ProcessStartInfo("python3") { RedirectStandardOutput = true };
        foreach (var a in new[] { "-c", $"import fcntl,os,time;f=open('{Path.Combine(dir, RunLock.FileName)}','w');fcntl.flock(f,fcntl.LOCK_EX);f.write(str(os.getpid()));f.flush();print('locked',flush=True);time.sleep(60)" })
            psi.ArgumentList.Add(a);
        using var holder = Process.Start(psi)!;
        Assert.Equal("locked", holder.StandardOutput.ReadLine());
        Assert.Throws<IOException>(() => RunLock.Acquire(dir));
        holder.Kill();
        holder.WaitForExit();
        using var taken = RunLock.Acquire(dir);
        Assert.Equal(Environment.ProcessId.ToString(), File.ReadAllText(Path.Combine(dir, RunLock.PidFileName)).Trim());
    }
}
