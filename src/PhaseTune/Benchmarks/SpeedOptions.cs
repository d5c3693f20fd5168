using PhaseTune.Models;

namespace PhaseTune.Benchmarks;

/// <summary>Options of a speed run; the workload is a list of token lengths, cut into consecutive batches padded to
/// their longest member (or to <c>PadTo</c>), as ../shared/bench/torch_peer.py does.</summary>
/// <param name="Onnx">encode only: null (TorchSharp), "float" or "int8": the model exported and run through
/// PhaseTune.Inference, each step's batch one call (sorted and cut by length unless <paramref name="OnnxUnsorted"/>)</param>
/// <param name="Precision">the matrix products' precision (<see cref="Autocast"/>); TorchSharp runs only</param>
/// <param name="Objective">train only: "ft" (fine-tuning's classification head and loss) or "dae" (the DAE phase's
/// step: the encoder on a 60 %-deleted copy of each sentence, the tied decoder rebuilding it, the vocabulary projection)</param>
public sealed record SpeedOptions(string ConfigPath, IReadOnlyList<int> Lengths, int Batch = 32, int Steps = 20, int Warmup = 2,
    int Threads = 2, int PadTo = 0, bool GroupByLength = false, int Labels = 7, bool Profile = false, string? Onnx = null,
    bool OnnxUnsorted = false, Precision Precision = Precision.Fp32, string Objective = "ft");
