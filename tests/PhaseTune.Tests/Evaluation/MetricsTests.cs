using PhaseTune.Evaluation;
using Xunit;

namespace PhaseTune.Tests.Evaluation;

public class MetricsTests
{
    [Fact]
    public void ScoresMatchAHandComputation()
    {
        // gold: a a a b b c ; predicted: a a b b c c
        var m = ClassificationMetrics.Compute([0, 0, 0, 1, 1, 2], [0, 0, 1, 1, 2, 2], ["a", "b", "c"]);
        Assert.Equal(4.0 / 6, m.Accuracy, 10);
        // a: P 2/2 R 2/3; b: P 1/2 R 1/2; c: P 1/2 R 1/1
        Assert.Equal((1 + 0.5 + 0.5) / 3, m.MacroPrecision, 10);
        Assert.Equal((2.0 / 3 + 0.5 + 1) / 3, m.MacroRecall, 10);
        double f1a = 2 * 1 * (2.0 / 3) / (1 + 2.0 / 3), f1b = 0.5, f1c = 2 * 0.5 * 1 / 1.5;
        Assert.Equal((f1a + f1b + f1c) / 3, m.MacroF1, 10);
        Assert.Equal([2, 1, 0], m.Confusion[0]);
        Assert.Equal(3, m.PerClass[0].Support);
    }

    [Fact]
    public void AClassNeverPredictedHasZeroPrecision()
    {
        var m = ClassificationMetrics.Compute([0, 1], [0, 0], ["a", "b"]);
        Assert.Equal(0, m.PerClass[1].Precision);
        Assert.Equal(0, m.PerClass[1].F1);
        Assert.Equal(0.5, m.Accuracy);
    }
}
