using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PhaseTune.Models;

/// <summary>Mixed precision by hand, the way PyTorch's CPU autocast does it (TorchSharp has no autocast): inside a
/// <see cref="Precision.Bf16"/> scope the encoder's and the LM heads' matrix products take bfloat16 copies of their
/// inputs and of the float32 weights; LayerNorm, softmax, the losses and the optimiser stay float32. The parameters
/// stay float32 (master weights): their gradients come back through the casts as float32. The scope is per
/// asynchronous flow, so runs in one process do not see each other's precision.</summary>
public static class Autocast
{
    static readonly AsyncLocal<bool> _bf16 = new();

    /// <summary>Whether matrix products run in bfloat16 here.</summary>
    public static bool Bf16 => _bf16.Value;

    /// <summary>Sets the precision until the returned scope is disposed.</summary>
    public static IDisposable Scope(Precision precision)
    {
        bool previous = _bf16.Value;
        _bf16.Value = precision == Precision.Bf16;
        return new Restore(previous);
    }

    sealed class Restore(bool previous) : IDisposable
    {
        public void Dispose() => _bf16.Value = previous;
    }

    /// <summary>x·Wᵀ + b, in bfloat16 inside a bf16 scope (the result then bfloat16 too).</summary>
    public static Tensor Linear(Tensor x, Tensor weight, Tensor? bias) => Bf16
        ? nn.functional.linear(ToBf16(x), ToBf16(weight), bias is null ? null : ToBf16(bias))
        : nn.functional.linear(x, weight, bias);

    public static Tensor Linear(Linear layer, Tensor x) => Linear(x, layer.weight!, layer.bias);

    /// <summary>a·b, in bfloat16 inside a bf16 scope.</summary>
    public static Tensor MatMul(Tensor a, Tensor b) => Bf16 ? ToBf16(a).matmul(ToBf16(b)) : a.matmul(b);

    /// <summary>The tensor as float32: what LayerNorm, softmax and the losses take.</summary>
    public static Tensor Float(Tensor x) => x.dtype == ScalarType.Float32 ? x : x.to_type(ScalarType.Float32);

    static Tensor ToBf16(Tensor x) => x.dtype == ScalarType.BFloat16 ? x : x.to_type(ScalarType.BFloat16);

    /// <summary>fp32 | bf16 | auto (bf16 where the CPU computes bfloat16 dot products natively, else fp32).</summary>
    public static Precision Resolve(string setting) => setting switch
    {
        "fp32" => Precision.Fp32,
        "bf16" => Precision.Bf16,
        "auto" => CpuHasBf16 ? Precision.Bf16 : Precision.Fp32,
        _ => throw new ArgumentException($"precision must be fp32, bf16 or auto, got '{setting}'"),
    };

    /// <summary>The setting's name for a precision, as training_config.json records it.</summary>
    public static string Name(Precision precision) => precision == Precision.Bf16 ? "bf16" : "fp32";

    /// <summary>Whether /proc/cpuinfo lists avx512_bf16 or amx_bf16: without them libtorch emulates bfloat16 and it
    /// is slower than float32.</summary>
    public static bool CpuHasBf16 => _cpuHasBf16.Value;

    static readonly Lazy<bool> _cpuHasBf16 = new(() =>
    {
        try
        {
            return File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("flags", StringComparison.Ordinal)) is { } flags
                && flags.Split(' ', ':', '\t').Any(f => f is "avx512_bf16" or "amx_bf16");
        }
        catch (IOException) { return false; }
        catch (UnauthorizedAccessException) { return false; }
    });
}
