DROP TABLE track_models;
