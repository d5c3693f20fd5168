using static TorchSharp.torch;

namespace PhaseTune.ModelFiles;

/// <summary>A stored tensor's dtype, shape and data size (numel × element size). <paramref name="Storage"/> names the
/// torch storage it views, so tensors that share one (tied weights) can be told apart; null in safetensors.</summary>
public sealed record TensorInfo(ScalarType DType, long[] Shape, long Bytes, string? Storage = null);
