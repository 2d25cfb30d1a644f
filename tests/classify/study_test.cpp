#include "bnlstm/classify/study.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "bnlstm/classify/classifier_checkpoint.hpp"
#include "bnlstm/core/error.hpp"
#include "classify/tiny_images.hpp"

namespace bnlstm {
namespace {

ImageTask tiny_task(SequenceView view = SequenceView::rows, bool permuted = false) {
  ImageTaskOptions o;
  o.view = view;
  o.permuted = permuted;
  o.val_size = 30;
  return make_image_task(testing::tiny_images(150, 1), testing::tiny_images(30, 2), o);
}

StudyOptions tiny_study() {
  StudyOptions o;
  o.norms = {LstmNorm::none, LstmNorm::batch};
  o.seeds = {1, 2};
  o.network.hidden_size = 8;
  o.training.epochs = 2;
  o.training.batch_size = 20;
  o.training.eval_every = 3;
  o.optimizers = {{"adam", OptimizerKind::adam, OptimizerConfig{.lr = 0.02}}};
  o.thresholds = {0.5, 0.999};
  return o;
}

TEST(Study, RunsSideBySideGiveTheSameRunsInTheSameOrder) {
  const ImageTask task = tiny_task();
  StudyOptions o = tiny_study();
  const StudyResult one = run_study(task, o);
  o.jobs = 3;
  std::vector<size_t> finished;
  StudyCallbacks cb;
  cb.on_run = [&](const StudyRun& r, const VariantSummary&) { finished.push_back(r.number); };
  const StudyResult three = run_study(task, o, cb);
  std::sort(finished.begin(), finished.end());
  EXPECT_EQ(finished, (std::vector<size_t>{1, 2, 3, 4}));
  ASSERT_EQ(three.runs.size(), one.runs.size());
  for (size_t i = 0; i < one.runs.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(three.runs[i].number, i + 1);
    EXPECT_EQ(three.runs[i].seed, one.runs[i].seed);
    EXPECT_EQ(three.runs[i].variant, one.runs[i].variant);
    EXPECT_EQ(three.runs[i].test.accuracy, one.runs[i].test.accuracy);
    EXPECT_EQ(three.runs[i].test.loss, one.runs[i].test.loss);
    ASSERT_EQ(three.runs[i].history.points.size(), one.runs[i].history.points.size());
    for (size_t k = 0; k < one.runs[i].history.points.size(); ++k)
      EXPECT_EQ(three.runs[i].history.points[k].train_loss,
                one.runs[i].history.points[k].train_loss);
  }
  EXPECT_EQ(three.variants[1].test_accuracy_mean, one.variants[1].test_accuracy_mean);
  o.jobs = 0;
  EXPECT_THROW(run_study(task, o), Error);
}

TEST(ImageTask, SplitsTheTrainingFileAndDrawsOnePermutation) {
  const ImageTask t = tiny_task(SequenceView::pixels, true);
  EXPECT_EQ(t.train.size(), 120u);
  EXPECT_EQ(t.validation.front(), 120);
  EXPECT_EQ(t.validation.size(), 30u);
  EXPECT_EQ(t.test.size(), 30u);
  EXPECT_EQ(t.classes, 3);
  EXPECT_EQ(t.train_data->permutation().size(), 36u);
  EXPECT_EQ(t.train_data->permutation(), t.test_data->permutation());
  ImageTaskOptions o;
  o.val_size = 150;
  EXPECT_THROW(make_image_task(testing::tiny_images(150, 1), testing::tiny_images(3, 2), o), Error);
}

TEST(Study, TableJsonAndCurvesOnATinyTask) {
  const ImageTask task = tiny_task();
  std::vector<std::string> progress;
  StudyCallbacks cb;
  cb.on_start = [&](size_t run, size_t runs, const std::string& label, uint64_t seed) {
    progress.push_back(std::to_string(run) + "/" + std::to_string(runs) + " " + label + " " +
                       std::to_string(seed));
  };
  const StudyResult r = run_study(task, tiny_study(), cb);
  EXPECT_EQ(progress,
            (std::vector<std::string>{"1/4 none 1", "2/4 batch 1", "3/4 none 2", "4/4 batch 2"}));
  ASSERT_EQ(r.runs.size(), 4u);
  ASSERT_EQ(r.variants.size(), 2u);
  // 120 images / 20 = 6 steps per epoch, 12 steps: points at 3, 6, 9, 12
  for (const VariantSummary& v : r.variants) {
    EXPECT_EQ(v.seeds, 2);
    EXPECT_EQ(v.steps, (std::vector<double>{3, 6, 9, 12}));
    EXPECT_GT(v.test_accuracy_mean, 0.6) << v.label;  // three easy classes
    ASSERT_EQ(v.steps_to.size(), 2u);
    for (size_t i = 0; i < v.val_accuracy_mean.size(); ++i) {
      EXPECT_LE(v.val_accuracy_min[i], v.val_accuracy_mean[i]);
      EXPECT_GE(v.val_accuracy_max[i], v.val_accuracy_mean[i]);
    }
  }
  // the summary is the runs': recompute by hand for variant 0 (none)
  const double a = r.runs[0].test.accuracy, b = r.runs[2].test.accuracy;
  EXPECT_DOUBLE_EQ(r.variants[0].test_accuracy_mean, (a + b) / 2);
  EXPECT_NEAR(r.variants[0].test_accuracy_std, std::abs(a - b) / std::sqrt(2.0), 1e-12);
  std::optional<int64_t> first;
  for (const EvalPoint& p : r.runs[0].history.points)
    if (!first && p.val_accuracy >= 0.5) first = p.step;
  EXPECT_EQ(r.variants[0].steps_to[0][0], first);

  const std::string table = study_table(r);
  EXPECT_NE(table.find("| variant | seeds | test accuracy (%) |"), std::string::npos) << table;
  EXPECT_NE(table.find("| none | 2 | "), std::string::npos) << table;
  EXPECT_NE(table.find("| batch | 2 | "), std::string::npos) << table;
  EXPECT_NE(table.find("steps to 50 % val. acc."), std::string::npos) << table;
  const auto j = nlohmann::json::parse(study_json(r));
  EXPECT_EQ(j["variants"].size(), 2u);
  EXPECT_EQ(j["runs"].size(), 4u);
  EXPECT_EQ(j["runs"][1]["variant"], "batch");
}

TEST(Study, SameSeedSameInitialWeightsAcrossNormsAndSameBitsAgain) {
  Rng a = make_rng(7), b = make_rng(7);
  ClassifierConfig none;
  none.input_size = 6;
  none.hidden_size = 8;
  none.classes = 3;
  none.norm = LstmNorm::none;
  ClassifierConfig batch = none;
  batch.norm = LstmNorm::batch;
  SequenceClassifier<float> n1(none, a), n2(batch, b);
  EXPECT_EQ(n1.lstm().weight_ih().value, n2.lstm().weight_ih().value);
  EXPECT_EQ(n1.lstm().weight_hh().value, n2.lstm().weight_hh().value);
  EXPECT_EQ(n1.head().weight().value, n2.head().weight().value);
  // same seed, same everything: the same bits
  const ImageTask task = tiny_task();
  ClassifierTrainOptions o;
  o.batch_size = 20;
  const ClassificationResult r1 = run_classification(task, none, o, 7);
  const ClassificationResult r2 = run_classification(task, none, o, 7);
  EXPECT_EQ(r1.history.points.back().val_loss, r2.history.points.back().val_loss);
  EXPECT_EQ(r1.test.loss, r2.test.loss);
}

TEST(ClassifierCheckpoint, ThePermutationIsSavedAndReused) {
  const ImageTask task = tiny_task(SequenceView::pixels14, true);
  ClassifierConfig c;
  c.hidden_size = 6;
  ClassifierTrainOptions o;
  o.batch_size = 30;
  const ClassificationResult r = run_classification(task, c, o, 3);
  const auto path = std::filesystem::temp_directory_path() / "bnlstm_classifier_ckpt.safetensors";
  ClassifierCheckpoint info;
  info.view = SequenceView::pixels14;
  info.permutation = task.train_data->permutation();
  save_classifier(path, *r.net, info);
  const LoadedClassifier loaded = load_classifier(path);
  std::filesystem::remove(path);
  EXPECT_EQ(loaded.info.view, SequenceView::pixels14);
  EXPECT_EQ(loaded.info.permutation, task.train_data->permutation());
  ASSERT_EQ(loaded.info.permutation.size(), 9u);
  // the same images read through the stored permutation: the same test results exactly
  const ImageSequences test(*task.test_images, loaded.info.view, loaded.info.permutation);
  const ClassificationEval e = evaluate_classifier(*loaded.net, test, task.test);
  EXPECT_EQ(e.loss, r.test.loss);
  EXPECT_EQ(e.confusion, r.test.confusion);
  // and through another permutation, different ones
  const ImageSequences natural(*task.test_images, SequenceView::pixels14);
  EXPECT_NE(evaluate_classifier(*loaded.net, natural, task.test).loss, r.test.loss);
}

}  // namespace
}  // namespace bnlstm
