using static TorchSharp.torch;

namespace PhaseTune.ModelFiles;

/// <summary>A checkpoint's tensors by HF key, whatever the files: one safetensors file, a sharded set, or
/// torch.save's pytorch_model.bin (single or sharded). Reading gives the stored dtype; callers convert.</summary>
public interface ICheckpoint
{
    /// <summary>The file errors and load reports name (the index of a sharded checkpoint).</summary>
    string Path { get; }

    IReadOnlyDictionary<string, TensorInfo> Tensors { get; }

    /// <summary>One tensor, contiguous, in its stored dtype.</summary>
    Tensor Read(string name);
}
