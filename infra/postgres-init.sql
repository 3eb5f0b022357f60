-- One database per service, plus the gateway's accounts (DESIGN.md: nothing reads another's).
CREATE DATABASE registry;
CREATE DATABASE intake;
CREATE DATABASE review;
CREATE DATABASE notify;
CREATE DATABASE gateway;
