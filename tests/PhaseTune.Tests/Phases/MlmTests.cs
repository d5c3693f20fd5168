using System.Text.Json.Nodes;
using PhaseTune.Augmentation;
using PhaseTune.Data;
using PhaseTune.Losses;
using PhaseTune.ModelFiles;
using PhaseTune.Models;
using PhaseTune.Phases;
using PhaseTune.Runs;
using PhaseTune.Text;
using PhaseTune.Training;
using PhaseTune.Tests.Cli;
using Xunit;
using static TorchSharp.torch;

namespace PhaseTune.Tests.Phases;

public class MlmTests
{
    [Fact]
    public void BertMaskingChoosesFifteenPercentAndReplaces80_10_10NeverSpecials()
    {
        var tok = ToyModels.Tokenizer;
        var text = string.Join(" ", Enumerable.Repeat(string.Join(" ", ToyModels.Sports.Concat(ToyModels.Food)), 60));
        var e = tok.Encode(text);
        var (ids, labels) = TokenMasking.Mask(e, tok, 0.15, wholeWord: false, new Random(3));
        int n = e.Length - 2, chosen = labels.Count(l => l != -100);
        Assert.InRange(chosen / (double)n, 0.14, 0.16);
        Assert.Equal(-100, labels[0]);
        Assert.Equal(-100, labels[^1]);
        var picked = Enumerable.Range(0, e.Length).Where(i => labels[i] != -100).ToList();
        Assert.All(picked, i => Assert.Equal(e.Ids[i], labels[i]));
        double masked = picked.Count(i => ids[i] == tok.MaskId) / (double)chosen, kept = picked.Count(i => ids[i] == e.Ids[i]) / (double)chosen;
        Assert.InRange(masked, 0.77, 0.83);
        Assert.InRange(kept, 0.08, 0.13);   // 10 % kept, plus the rare random draw of the same token
        Assert.All(Enumerable.Range(0, e.Length).Where(i => labels[i] == -100), i => Assert.Equal(e.Ids[i], ids[i]));
        var again = TokenMasking.Mask(e, tok, 0.15, false, new Random(3));
        Assert.Equal(ids, again.Ids);
        Assert.Equal(labels, again.Labels);
    }

    [Fact]
    public void WholeWordMaskingTakesEveryPieceOfAWord()
    {
        var tok = ToyModels.Tokenizer;
        var e = tok.Encode(string.Join(" ", Enumerable.Repeat("unbelievably disproportionate tokenization", 200)));
        Assert.Contains(e.Tokens, t => t.StartsWith("##"));
        var (_, labels) = TokenMasking.Mask(e, tok, 0.3, wholeWord: true, new Random(1));
        for (int i = 1; i < e.Length - 1; i++)
            if (e.Tokens[i].StartsWith("##")) Assert.Equal(labels[i - 1] != -100, labels[i] != -100);
    }

    [Fact]
    public void WholeWordMaskingKeepsSentencePieceWordsTogether()
    {
        var tok = TokenizerLoader.Load(Paths.RepoFixture("tiny-xlmr-tokenizer"));
        var e = tok.Encode(string.Join(" ", Enumerable.Repeat("men in black ii achieves ultimate insignificance", 100)));
        Assert.Contains(e.Tokens, t => !t.StartsWith('\u2581') && t != "<s>" && t != "</s>");
        var (_, labels) = TokenMasking.Mask(e, tok, 0.3, wholeWord: true, new Random(1));
        for (int i = 1; i < e.Length - 1; i++)
            if (!e.Tokens[i].StartsWith('\u2581')) Assert.Equal(labels[i - 1] != -100, labels[i] != -100);
        Assert.Contains(labels, l => l != -100);
    }

    [Fact]
    public void TheMaskedLmLossIsHfsOnTheFixture()
    {
        var reference = JsonNode.Parse(File.ReadAllText(Path.Combine(Paths.Fixture("tiny-bert-mlm"), "reference.json")))!;
        Tensor Rows(string key) => tensor(reference[key]!.AsArray().SelectMany(r => r!.AsArray().Select(v => v!.GetValue<long>())).ToArray(),
            [reference[key]!.AsArray().Count, reference[key]![0]!.AsArray().Count]);
        var model = ModelDirectory.Load(Paths.Fixture("tiny-bert-mlm")).Model;
        var loss = new MaskedLmLoss(model);
        loss.eval();
        using var _ = no_grad();
        var ids = Rows("masked_input_ids");
        var value = loss.Forward(new MaskedBatch(new TokenBatch(ids, Rows("attention_mask"), zeros_like(ids)), Rows("mlm_labels"))).item<float>();
        Assert.Equal(reference["mlm_loss"]!.GetValue<double>(), value, 4);
    }

    sealed class Messages : ITrainingObserver
    {
        public readonly List<string> All = [];
        public void PhaseStarted(string phase, long totalSteps, long doneSteps) { }
        public void Step(string phase, int epoch, long step, double loss, double lr) { }
        public void PhaseFinished(string phase, TimeSpan elapsed) { }
        public void Message(string text) => All.Add(text);
    }

    [Fact]
    public void AnMlmPhaseLearnsRedrawsMasksAndHandsItsHeadToTheSavedModelAndTheDecoder()
    {
        var data = ToyModels.Corpus();
        var splits = new DataSplits(data, data, null, LabelSet.FromTrain(data, null), false);
        var c = new TrainConfig { BatchSize = 4, MaxLength = 32, LogEvery = 1, Phases = [PhaseKind.Mlm],
            Mlm = new MlmConfig { Epochs = 6, Lr = 3e-3, WarmupRatio = 0 } };
        string dir = Paths.TempDir();
        PretrainRun.Run(ToyModels.Encoder(4), ToyModels.Tokenizer, splits, c, dir);
        var log = File.ReadAllLines(Path.Combine(dir, "log.jsonl")).Select(l => JsonNode.Parse(l)!["loss"]!.GetValue<double>()).ToList();
        Assert.True(log.TakeLast(3).Average() < log.Take(3).Average(), $"MLM loss {log.Take(3).Average():F3} -> {log.TakeLast(3).Average():F3}");
        var saved = ModelDirectory.Load(Path.Combine(dir, "model"));
        Assert.NotNull(saved.Model.MaskedLmHead);
        Assert.Contains("BertForMaskedLM", File.ReadAllText(Path.Combine(dir, "model", "config.json")));

        var seen = new Messages();
        var recipe = c with { Phases = [PhaseKind.Mlm, PhaseKind.Dae, PhaseKind.FineTune], Mlm = c.Mlm with { Epochs = 1 },
            Dae = new DaeConfig { Epochs = 1 }, Ft = new FineTuneConfig { MaxEpochs = 1 } };
        TrainRun.Run(ToyModels.Encoder(4), ToyModels.Tokenizer, splits, recipe.ValidateClassifierRecipe(), Paths.TempDir(), seen);
        Assert.Contains(seen.All, m => m.StartsWith("mlm: the masked-LM head starts fresh"));
        Assert.Contains(seen.All, m => m.StartsWith("dae: the decoder's LM head starts from the encoder's masked-LM head"));
    }

    [Fact]
    public void MaxStepsEndsThePhaseThereAndTheSavedWeightsAreTheBestDevCheck()
    {
        var data = ToyModels.Corpus();
        // dev words the training texts never use: their loss grows as the head learns the training words, so the best
        // check is not the last one and keeping the last weights would fail below
        var dev = new[] { "quantum physics explains distant galaxies", "violin concerto moved her deeply" }
            .Select(t => new Example(t, null, "sports")).ToList();
        var splits = new DataSplits(data, dev, null, LabelSet.FromTrain(data, null), false);
        int perEpoch = (data.Count + 3) / 4, maxSteps = perEpoch + perEpoch / 2;
        var c = new TrainConfig { BatchSize = 4, MaxLength = 32, LogEvery = 1, SelectChecks = 3, Phases = [PhaseKind.Mlm],
            Mlm = new MlmConfig { Epochs = 1, MaxSteps = maxSteps, Lr = 0.1, WarmupRatio = 0 } };
        string dir = Paths.TempDir();
        PretrainRun.Run(ToyModels.Encoder(4), ToyModels.Tokenizer, splits, c, dir);
        var log = File.ReadAllLines(Path.Combine(dir, "log.jsonl")).Select(l => JsonNode.Parse(l)!).ToList();
        Assert.Equal(Enumerable.Range(1, maxSteps), log.Select(l => (int)l["step"]!.GetValue<long>()));
        Assert.Equal([1, 2], log.Select(l => l["epoch"]!.GetValue<int>()).Distinct());
        Assert.Equal(0.1 / maxSteps, log[^1]["lr"]!.GetValue<double>(), 9);   // the linear schedule ends at max_steps, not at an epoch end

        // 3 checks in the full epoch, 1 in the half one; what was saved scores the best of them again
        var scores = log.Where(l => l["dev_score"] is not null).Select(l => l["dev_score"]!.GetValue<double>()).ToList();
        Assert.Equal(4, scores.Count);
        Assert.True(scores.Max() > scores[^1], string.Join(" ", scores));
        var saved = ModelDirectory.Load(Path.Combine(dir, "model"));
        using var phase = new MlmPhase(new SentenceEncoder(saved.Model, PoolingMode.Cls), ToyModels.Tokenizer, data.Select(e => e.Text).ToList(), c,
            splits.Dev.Select(e => e.Text).ToList());
        phase.SetTraining(false);
        using var precision = Autocast.Scope(Autocast.Resolve(c.Precision));   // the dev checks ran in the run's precision
        Assert.Equal(scores.Max(), phase.Check(new Messages())!.Value, 4);
    }

    [Fact]
    public void MasksAreRedrawnEachEpoch()
    {
        var data = ToyModels.Corpus();
        var splits = new DataSplits(data, data, null, LabelSet.FromTrain(data, null), false);
        var c = new TrainConfig { BatchSize = 4, MaxLength = 32, GroupByLength = false };
        using var phase = PhaseFactory.Create(PhaseKind.Mlm, new SentenceEncoder(ToyModels.Encoder(4), PoolingMode.Cls), ToyModels.Tokenizer, splits, c);
        phase.BeginEpoch(0);
        phase.SetTraining(false);
        float a = phase.Loss(0).item<float>();
        phase.BeginEpoch(0);
        Assert.Equal(a, phase.Loss(0).item<float>());   // a pure function of (seed, epoch)
        phase.BeginEpoch(1);
        Assert.NotEqual(a, phase.Loss(0).item<float>());
    }

    [Fact]
    public void FillMaskGivesTheHeadsTopTokensPerMask()
    {
        string dir = Paths.TempDir(), input = Path.Combine(dir, "in.txt"), output = Path.Combine(dir, "out.jsonl");
        File.WriteAllText(input, "the [MASK] won the [MASK] match\n");
        var (code, _, err) = CliRunner.Run("fill-mask", "--model", Paths.Fixture("tiny-bert-mlm"), "--input", input, "--output", output, "--top-k", "3");
        Assert.True(code == 0, err);
        var row = JsonNode.Parse(File.ReadAllLines(output).Single())!;
        var masks = row["predictions"]!.AsArray();
        Assert.Equal(2, masks.Count);
        var loaded = ModelDirectory.Load(Paths.Fixture("tiny-bert-mlm"));
        var expected = new MaskFiller(loaded.Model, loaded.Tokenizer).Fill("the [MASK] won the [MASK] match", 3);
        for (int m = 0; m < 2; m++)
        {
            var got = masks[m]!.AsArray();
            Assert.Equal(expected[m].Select(p => p.Id), got.Select(p => p!["token_id"]!.GetValue<int>()));
            var scores = got.Select(p => p!["score"]!.GetValue<double>()).ToList();
            Assert.Equal(scores.OrderByDescending(x => x), scores);
            Assert.All(got, p => Assert.Equal(loaded.Tokenizer.IdToToken(p!["token_id"]!.GetValue<int>()), p["token"]!.GetValue<string>()));
        }
        File.WriteAllText(input, "no mask here\n");
        (code, _, err) = CliRunner.Run("fill-mask", "--model", Paths.Fixture("tiny-bert-mlm"), "--input", input, "--output", output);
        Assert.NotEqual(0, code);
        Assert.Contains("in.txt:1: no [MASK] in the text", err);
        (code, _, err) = CliRunner.Run("fill-mask", "--model", Paths.Fixture("tiny-bert"), "--input", input, "--output", Path.Combine(dir, "x.jsonl"));
        Assert.Contains("has no masked-LM head", err);
    }

    [Fact]
    public void WholeTextPackingNeverCutsATextThatFitsAndStartsEachBlockAnew()
    {
        var tok = TokenizerLoader.Load(Path.Combine(Paths.Models, "bert-base-uncased"));
        string[] texts = ["one two three", "four five six", "seven eight nine ten", string.Join(" ", Enumerable.Repeat("the", 12))];
        var pack = typeof(MlmPhase).GetMethod("PackWhole", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!;
        var blocks = (TokenEncoding[])pack.Invoke(null, [texts, tok, 8])!;
        string Words(TokenEncoding b) => string.Join(" ", b.Tokens);
        Assert.Equal(["[CLS] one two three [SEP]", "[CLS] four five six [SEP]", "[CLS] seven eight nine ten [SEP]",
            "[CLS] the the the the the the [SEP]"], blocks.Select(Words));
        // with room, texts share a block: 3 + 3 pieces and three specials fit in 9
        blocks = (TokenEncoding[])pack.Invoke(null, [texts[..2], tok, 9])!;
        Assert.Equal(["[CLS] one two three [SEP] four five six [SEP]"], blocks.Select(Words));
    }
}
