// Serves a classifier exported with `phasetune export --model RUN/model --out DEPLOY`:
//   dotnet run -- --Model DEPLOY
//   curl -s localhost:5000/predict -H 'content-type: application/json' -d '{"texts": ["play some jazz"]}'
// One OnnxTextClassifier serves every request: it is thread-safe, and disposed with the application.
using PhaseTune.Inference;

var builder = WebApplication.CreateBuilder(args);
string folder = builder.Configuration["Model"] ?? throw new ArgumentException("give the export folder: --Model DEPLOY");
builder.Services.AddSingleton(_ => new OnnxTextClassifier(folder, new InferenceOptions(Threads: Environment.ProcessorCount)));
var app = builder.Build();

app.MapPost("/predict", (PredictRequest request, OnnxTextClassifier classifier) =>
{
    if (request.Texts is not { Length: > 0 }) return Results.BadRequest("texts: give at least one text");
    var probabilities = classifier.PredictProba(request.Texts);
    return Results.Ok(request.Texts.Select((text, i) =>
    {
        int best = TextClassifierExtensions.ArgMax(probabilities[i]);
        return new Prediction(text, classifier.Labels[best], probabilities[i][best]);
    }));
});
app.MapGet("/labels", (OnnxTextClassifier classifier) => classifier.Labels);

app.Run();
