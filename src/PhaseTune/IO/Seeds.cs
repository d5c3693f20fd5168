namespace PhaseTune.IO;

/// <summary>Derives independent, reproducible seeds from a run seed and a purpose (e.g. "dae-noise", epoch 3), so
/// every shuffle and noise draw of an epoch can be regenerated on resume without saving generator state.</summary>
public static class Seeds
{
    public static int Mix(int seed, string purpose, int index = 0)
    {
        ulong h = 14695981039346656037UL;   // FNV-1a over the purpose, then SplitMix64 finalisation
        foreach (char c in purpose) { h ^= c; h *= 1099511628211UL; }
        ulong z = h ^ ((ulong)(uint)seed << 32) ^ (uint)index;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        z ^= z >> 31;
        return (int)(z & 0x7FFFFFFF);
    }

    public static Random For(int seed, string purpose, int index = 0) => new(Mix(seed, purpose, index));
}
