using PhaseTune.Training;
using Xunit;

namespace PhaseTune.Tests.Training;

public class BatchOrderTests
{
    static readonly int[] Lengths = Enumerable.Range(0, 1000).Select(i => i * 7919 % 97 + 1).ToArray();

    static long Padding(int[][] batches) => batches.Sum(b => (long)b.Length * b.Max(i => Lengths[i]) - b.Sum(i => Lengths[i]));

    [Fact]
    public void GroupingByLengthKeepsEveryExampleOnceAndCutsPadding()
    {
        var plain = BatchOrder.Shuffled(Lengths.Length, 16, new Random(1));
        var grouped = BatchOrder.Shuffled(Lengths.Length, 16, new Random(1), i => Lengths[i]);
        Assert.Equal(Enumerable.Range(0, 1000), grouped.SelectMany(b => b).Order());
        Assert.Equal(63, grouped.Length);
        Assert.All(grouped, b => Assert.Equal(b.Select(i => Lengths[i]).OrderByDescending(x => x), b.Select(i => Lengths[i])));
        // 800-example mega-batches of lengths 1..97: a batch spans about 2 length values instead of most of the range
        Assert.True(Padding(grouped) * 10 < Padding(plain), $"grouped padding {Padding(grouped)} vs plain {Padding(plain)}");
        // batches come in shuffled order, not longest first
        var firstLongest = grouped.Select(b => Lengths[b[0]]).ToArray();
        Assert.NotEqual(firstLongest.OrderByDescending(x => x), firstLongest);
    }

    [Fact]
    public void BatchesArePureFunctionsOfTheSeed()
    {
        var a = BatchOrder.Shuffled(100, 8, new Random(5), i => Lengths[i]);
        var b = BatchOrder.Shuffled(100, 8, new Random(5), i => Lengths[i]);
        var c = BatchOrder.Shuffled(100, 8, new Random(6), i => Lengths[i]);
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
        Assert.Equal(Enumerable.Range(0, 100), BatchOrder.Shuffled(100, 8, new Random(5)).SelectMany(x => x).Order());
    }
}
