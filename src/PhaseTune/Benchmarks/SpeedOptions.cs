namespace PhaseTune.Benchmarks;

/// <summary>Options of a speed run; the workload is a list of token lengths, cut into consecutive batches padded to
/// their longest member (or to <c>PadTo</c>), as ../shared/bench/torch_peer.py does.</summary>
public sealed record SpeedOptions(string ConfigPath, IReadOnlyList<int> Lengths, int Batch = 32, int Steps = 20, int Warmup = 2,
    int Threads = 2, int PadTo = 0, bool GroupByLength = false, int Labels = 7, bool Profile = false);
