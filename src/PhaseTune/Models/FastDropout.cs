using System.Numerics;
using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace PhaseTune.Models;

/// <summary>Inverted dropout (Srivastava et al. 2014, "Dropout: A Simple Way to Prevent Neural Networks from
/// Overfitting"): zero each element with probability p, scale the rest by 1/(1 − p). libtorch draws the CPU mask
/// with a serial bernoulli_ at ~12 ns an element, which made dropout a third of a training step; here the mask is a
/// counter-based hash of the element index, vectorised and split across threads. The key comes from torch's
/// generator, so torch.manual_seed and the checkpointed RNG state still make runs replay exactly.</summary>
public sealed class FastDropout(double p) : nn.Module<Tensor, Tensor>(nameof(FastDropout))
{
    public double P
    {
        get;
        set => field = value is >= 0 and <= 1 ? value : throw new ArgumentOutOfRangeException(nameof(P), $"dropout probability {value} is not in [0, 1]");
    } = p is >= 0 and <= 1 ? p : throw new ArgumentOutOfRangeException(nameof(p), $"dropout probability {p} is not in [0, 1]");

    public override Tensor forward(Tensor x) => Apply(x, P, training);

    public static Tensor Apply(Tensor x, double p, bool training) =>
        !training || p == 0 ? x : p >= 1 ? x * 0.0 : x * Mask(x.shape, p, x.device);

    /// <returns>a float32 tensor of 0 (probability p) and 1/(1 − p)</returns>
    public static Tensor Mask(long[] shape, double p, Device? device = null)
    {
        var mask = empty(shape, dtype: ScalarType.Float32);
        long n = mask.numel();
        if (n > uint.MaxValue) throw new NotSupportedException($"dropout over {n} elements (at most 2^32)");
        ulong key = (ulong)randint(long.MaxValue, [1], dtype: ScalarType.Int64).item<long>();
        uint threshold = (uint)Math.Min(uint.MaxValue, Math.Round((1 - p) * 4294967296.0));
        float scale = (float)(1 / (1 - p));
        const int chunk = 1 << 16;
        int chunks = (int)((n + chunk - 1) / chunk);
        Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, get_num_threads()) }, c =>
        {
            long start = (long)c * chunk;
            var dst = MemoryMarshal.Cast<byte, float>(mask.bytes).Slice((int)start, (int)Math.Min(chunk, n - start));
            Fill(dst, (uint)start, (uint)key, (uint)(key >> 32), threshold, scale);
        });
        return device is null || device.type == DeviceType.CPU ? mask : mask.to(device);
    }

    static readonly Vector<uint> Iota = new(Enumerable.Range(0, Vector<uint>.Count).Select(i => (uint)i).ToArray());

    /// <summary>dst[i] = scale if hash(start + i) &lt; threshold else 0.</summary>
    static void Fill(Span<float> dst, uint start, uint k1, uint k2, uint threshold, float scale)
    {
        int i = 0, w = Vector<uint>.Count;
        if (Vector.IsHardwareAccelerated)
        {
            var (vk1, vk2, vt, vs) = (new Vector<uint>(k1), new Vector<uint>(k2), new Vector<uint>(threshold), new Vector<float>(scale));
            for (; i + w <= dst.Length; i += w)
            {
                var h = Mix(Mix(new Vector<uint>(start + (uint)i) + Iota ^ vk1) ^ vk2);
                Vector.ConditionalSelect(Vector.AsVectorSingle(Vector.LessThan(h, vt)), vs, Vector<float>.Zero).CopyTo(dst[i..]);
            }
        }
        for (; i < dst.Length; i++) dst[i] = Mix(Mix((start + (uint)i) ^ k1) ^ k2) < threshold ? scale : 0f;
    }

    // Wellons' "lowbias32" integer hash (full avalanche), scalar and vector forms of the same steps
    static uint Mix(uint x)
    {
        x ^= x >> 16; x *= 0x7feb352d; x ^= x >> 15; x *= 0x846ca68b; x ^= x >> 16;
        return x;
    }

    static Vector<uint> Mix(Vector<uint> x)
    {
        x ^= Vector.ShiftRightLogical(x, 16); x *= 0x7feb352d;
        x ^= Vector.ShiftRightLogical(x, 15); x *= 0x846ca68b;
        return x ^ Vector.ShiftRightLogical(x, 16);
    }
}
