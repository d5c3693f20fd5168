using System.Text;

namespace PhaseTune.Tests.Fuzzing;

/// <summary>Seeded mutations of a valid file: bit flips, byte edits, cuts and repeats, truncation, numbers replaced
/// by huge, negative or non-numbers, deep nesting and invalid UTF-8. Input i of a seed is always the same bytes.</summary>
public static class Mutator
{
    static readonly string[] Numbers = ["-1", "0", "-0", "2147483648", "99999999999999999999", "9223372036854775807",
        "-9223372036854775808", "1e308", "-1e308", "NaN", "1.5", "18446744073709551615", "4294967296"];
    static readonly byte[][] BadUtf8 = [[0xFF], [0xC3, 0x28], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xE2, 0x82]];

    public static byte[] Mutate(byte[] input, int seed, int index)
    {
        var rng = new Random(HashCode.Combine(seed, index));
        var data = new List<byte>(input);
        int ops = 1 + rng.Next(4);
        for (int k = 0; k < ops; k++)
        {
            int at = data.Count == 0 ? 0 : rng.Next(data.Count);
            switch (rng.Next(10))
            {
                case 0 when data.Count > 0: data[at] ^= (byte)(1 << rng.Next(8)); break;
                case 1 when data.Count > 0: data[at] = (byte)rng.Next(256); break;
                case 2 when data.Count > 0: data.RemoveRange(at, Math.Min(data.Count - at, 1 + rng.Next(16))); break;
                case 3: data.InsertRange(at, Enumerable.Range(0, 1 + rng.Next(8)).Select(_ => (byte)rng.Next(256))); break;
                case 4 when data.Count > 0:
                    int len = Math.Min(data.Count - at, 1 + rng.Next(64));
                    data.InsertRange(rng.Next(data.Count), data.GetRange(at, len));
                    break;
                case 5: data.RemoveRange(at, data.Count - at); break;
                case 6: ReplaceNumber(data, rng); break;
                case 7: data.InsertRange(at, BadUtf8[rng.Next(BadUtf8.Length)]); break;
                case 8:
                    char open = "[{"[rng.Next(2)];
                    data.InsertRange(at, Enumerable.Repeat((byte)open, 100 + rng.Next(5000)));
                    break;
                default: data.InsertRange(at, "\"\"\n,\t:\r\\"u8.ToArray().Skip(rng.Next(8)).Take(1 + rng.Next(3))); break;
            }
        }
        return data.ToArray();
    }

    /// <summary>Swaps one run of ASCII digits (with its sign) for a number a careless writer or an attacker would use.</summary>
    static void ReplaceNumber(List<byte> data, Random rng)
    {
        var runs = new List<(int Start, int Length)>();
        for (int i = 0; i < data.Count;)
        {
            if (data[i] is >= (byte)'0' and <= (byte)'9')
            {
                int j = i;
                while (j < data.Count && data[j] is >= (byte)'0' and <= (byte)'9') j++;
                runs.Add((i > 0 && data[i - 1] == '-' ? i - 1 : i, j - (i > 0 && data[i - 1] == '-' ? i - 1 : i)));
                i = j;
            }
            else i++;
        }
        if (runs.Count == 0) return;
        var (start, length) = runs[rng.Next(runs.Count)];
        data.RemoveRange(start, length);
        data.InsertRange(start, Encoding.ASCII.GetBytes(Numbers[rng.Next(Numbers.Length)]));
    }
}
